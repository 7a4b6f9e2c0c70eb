from django.conf import settings
from django.http import HttpResponse


def robots_txt(request):
    lines = ["User-agent: *", "Disallow: /admin/", "Allow: /", f"Sitemap: {settings.SITE_URL}/sitemap.xml", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
