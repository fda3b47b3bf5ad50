from django.urls import path

from resonanz.inbox import views

app_name = "inbox"

urlpatterns = [
    path("", views.inbox, name="list"),
    path("rows/", views.rows, name="rows"),
    path("c/<int:pk>/", views.conversation, name="conversation"),
    path("c/<int:pk>/panel/", views.conversation_panel, name="panel"),
    path("c/<int:pk>/reply/", views.reply, name="reply"),
    path("c/<int:pk>/note/", views.note, name="note"),
    path("c/<int:pk>/update/", views.update, name="update"),
    path("c/<int:pk>/publish/", views.publish, name="publish"),
    path("c/<int:pk>/presence/", views.presence, name="presence"),
    path("c/<int:pk>/m/<int:message_id>/label/", views.relabel, name="relabel"),
    path("bulk/", views.bulk, name="bulk"),
    path("events/", views.events, name="events"),
    path("views/", views.save_view, name="save_view"),
    path("views/<int:pk>/delete/", views.delete_view, name="delete_view"),
    path("people/<int:pk>/", views.contact, name="contact"),
]
