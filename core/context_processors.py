from .models import SiteSettings


def site(request):
    """The site settings every page's header and footer render."""
    return {"site_settings": SiteSettings.load()}
