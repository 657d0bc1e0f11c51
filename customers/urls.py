"""The customer directory's pages. Included before calls.urls: its fixed paths (new/, import/,
export.csv) come before the timeline's t/<tenant>/customers/<number>/ (calls/history_urls.py)."""

from django.urls import path

from customers import views

T = "t/<uuid:tenant_code>/customers/"

urlpatterns = [
    path(T, views.customers, name="customers"),
    path(T + "new/", views.customer_new, name="customer-new"),
    path(T + "import/", views.customers_import_view, name="customers-import"),
    path(T + "export.csv", views.customers_export, name="customers-export"),
    path(T + "c/<uuid:customer_code>/edit/", views.customer_edit, name="customer-edit"),
    path(T + "c/<uuid:customer_code>/delete/", views.customer_delete_view, name="customer-delete"),
]
