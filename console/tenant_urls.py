# Tenant administration pages (issue: tenants, people and softphones) are mounted here.
urlpatterns: list = []
