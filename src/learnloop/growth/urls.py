app_name = "growth"
urlpatterns = []
