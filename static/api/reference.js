// Starts Swagger UI (drf-spectacular-sidecar's bundle, served by us) on the OpenAPI
// description named by the page. A file of its own: the Content-Security-Policy allows
// no inline script.
"use strict";

window.addEventListener("DOMContentLoaded", function () {
  var element = document.getElementById("swagger-ui");
  if (!element || typeof window.SwaggerUIBundle !== "function") {
    return; // the message in the element stays
  }
  element.textContent = "";
  window.SwaggerUIBundle({
    url: element.dataset.schemaUrl,
    domNode: element,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    deepLinking: true,
    // The API only reads; and no validator badge (it would ask validator.swagger.io).
    supportedSubmitMethods: ["get"],
    validatorUrl: null,
  });
});
