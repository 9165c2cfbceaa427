from django.urls import path

from learnloop.reflection import facilitation_views, template_views, views

app_name = "reflection"

urlpatterns = [
    path("", views.session_list, name="list"),
    path("export/", views.sessions_export, name="export"),
    path("<int:session_id>/cards/export/", views.cards_export, name="cards-export"),
    path("templates/", template_views.template_list, name="templates"),
    path("templates/<int:template_id>/clone/", template_views.template_clone, name="template-clone"),
    path("templates/<int:template_id>/edit/", template_views.template_edit, name="template-edit"),
    path("<int:session_id>/", views.session_page, name="session"),
    path("<int:session_id>/status/", views.session_status, name="status"),
    path("<int:session_id>/phase/", views.change_phase, name="phase"),
    path("<int:session_id>/reveal/", views.reveal, name="reveal"),
    path("<int:session_id>/anonymity/", views.raise_anonymity, name="anonymity"),
    path("<int:session_id>/budget/", views.vote_budget, name="budget"),
    path("<int:session_id>/done/", views.done, name="done"),
    path("<int:session_id>/cards/", views.write_card, name="write-card"),
    # Writes name their card or group in the body, never in the path (access logs; views.py).
    path("<int:session_id>/cards/edit/", views.edit_card, name="edit-card"),
    path("<int:session_id>/cards/delete/", views.delete_card, name="delete-card"),
    path("<int:session_id>/cards/ungroup/", views.ungroup_card, name="ungroup-card"),
    path("<int:session_id>/cards/whys/", views.add_why, name="add-why"),
    path("<int:session_id>/cards/decision/", views.decide_note, name="decide-note"),
    path("<int:session_id>/cards/react/", views.react, name="react"),
    path("<int:session_id>/groups/", views.group_cards, name="group"),
    path("<int:session_id>/groups/rename/", views.rename_group, name="rename-group"),
    path("<int:session_id>/votes/", views.vote, name="vote"),
    path("<int:session_id>/actions/", views.create_action, name="create-action"),
    path("<int:session_id>/actions/<str:action_id>/review/", views.review_action, name="review-action"),
    path("<int:session_id>/lessons/", views.promote, name="promote"),
    path("<int:session_id>/timer/", facilitation_views.timer, name="timer"),
    path("<int:session_id>/checkin/question/", facilitation_views.checkin_question, name="checkin-question"),
    path("<int:session_id>/checkin/", facilitation_views.checkin_answer, name="checkin"),
    path("<int:session_id>/groups/notes/", facilitation_views.notes, name="group-notes"),
    path("<int:session_id>/summary/", facilitation_views.summary_page, name="summary"),
    path("<int:session_id>/summary/share/", facilitation_views.share_summary, name="share-summary"),
    path("<int:session_id>/summary/email/", facilitation_views.email_summary, name="email-summary"),
    path("summary/<str:token>/", facilitation_views.shared_summary, name="shared-summary"),
]
