from django.contrib.admin.apps import AdminConfig


class PixorgaAdminConfig(AdminConfig):
    """django.contrib.admin with a site whose login is the site's own (see admin_site.py).

    In a module of its own: apps.py may hold one AppConfig only, and this one is loaded while
    the app registry is still filling, before the site and its imports can be.
    """

    default_site = "accounts.admin_site.PixorgaAdminSite"
