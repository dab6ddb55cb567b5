"""The admin's app config, apart from the site so that it imports no model at start."""

from django.contrib.admin.apps import AdminConfig


class ApocAdminConfig(AdminConfig):
    """``django.contrib.admin`` with :class:`apoc.admin_site.ApocAdminSite` as ``admin.site``."""

    default_site = "apoc.admin_site.ApocAdminSite"
