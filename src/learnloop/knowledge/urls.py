from django.urls import include, path

from learnloop.knowledge import attachment_views, daily_views, outcome_views, template_views, views

app_name = "knowledge"

urlpatterns = [
    path("", views.search_page, name="search"),
    path("new/", views.entry_create, name="create"),
    path("similar/", views.similar, name="similar"),
    path("reviews/", views.review_queue, name="reviews"),
    path("notifications/", daily_views.notification_list, name="notifications"),
    path("notifications/read/", daily_views.notifications_read, name="notifications-read"),
    path("unanswered/", daily_views.unanswered, name="unanswered"),
    path("templates/", template_views.template_list, name="templates"),
    path("templates/<int:template_id>/edit/", template_views.template_edit, name="template-edit"),
    path("templates/<int:template_id>/delete/", template_views.template_delete, name="template-delete"),
    path("<int:entry_id>/follow/", daily_views.entry_follow, name="follow"),
    path("<int:entry_id>/attachments/new/", attachment_views.attachment_add, name="attachment-add"),
    path("<int:entry_id>/attachments/<int:attachment_id>/", attachment_views.attachment_download, name="attachment"),
    path("<int:entry_id>/attachments/<int:attachment_id>/remove/", attachment_views.attachment_remove,
         name="attachment-remove"),
    path("<int:entry_id>/answers/<int:answer_id>/vote/", daily_views.answer_vote, name="vote-answer"),
    path("<int:entry_id>/", views.entry_detail, name="entry"),
    path("<int:entry_id>/edit/", views.entry_edit, name="edit"),
    path("<int:entry_id>/history/", views.entry_history, name="history"),
    path("<int:entry_id>/diff/", views.entry_diff, name="diff"),
    path("<int:entry_id>/history/<int:number>/restore/", views.version_restore, name="restore-version"),
    path("<int:entry_id>/applications/", views.entry_apply, name="apply"),
    path("<int:entry_id>/feedback/", views.entry_feedback, name="feedback"),
    path("<int:entry_id>/answers/", views.entry_answer, name="answer"),
    path("<int:entry_id>/answers/<int:answer_id>/accept/", views.answer_accept, name="accept-answer"),
    path("<int:entry_id>/answers/<int:answer_id>/edit/", views.answer_edit, name="edit-answer"),
    path("<int:entry_id>/answers/<int:answer_id>/hide/", views.answer_hide, name="hide-answer"),
    path("<int:entry_id>/answers/<int:answer_id>/restore/", views.answer_restore, name="restore-answer"),
    path("<int:entry_id>/links/", views.entry_link, name="link"),
    path("<int:entry_id>/verify/", views.entry_verify, name="verify"),
    path("<int:entry_id>/obsolete/", views.entry_obsolete, name="obsolete"),
    path("<int:entry_id>/reinstate/", views.entry_reinstate, name="reinstate"),
    path("<int:entry_id>/status/", views.entry_status, name="status"),
    path("from-action/<int:action_id>/lesson/", outcome_views.lesson_from_outcome, name="outcome-lesson"),
    path("from-action/<int:action_id>/add/", outcome_views.add_outcome, name="outcome-add"),
    path("transfer/", include("learnloop.knowledge.transfer_urls")),
]
