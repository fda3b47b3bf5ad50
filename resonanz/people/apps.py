from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "resonanz.people"
    label = "people"
    default_auto_field = "django.db.models.BigAutoField"
