from learnloop.insights import themes_urls

app_name = "insights"

urlpatterns = [
    *themes_urls.urlpatterns,
]
