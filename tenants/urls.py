from django.urls import path

from tenants import manage_views, views

app_name = "tenants"

urlpatterns = [
    path("organizations/", views.organization_list, name="organization_list"),
    path("organizations/new/", views.register_organization, name="register_organization"),
    path("organizations/<int:pk>/", views.organization_detail, name="organization_detail"),
    path("organizations/<int:pk>/invite/", views.invite, name="invite"),
    path(
        "organizations/<int:pk>/invitations/<int:invitation_pk>/revoke/",
        views.revoke_invitation,
        name="revoke_invitation",
    ),
    path("organizations/<int:pk>/members/<int:user_pk>/role/", views.member_role, name="member_role"),
    path("organizations/<int:pk>/members/<int:user_pk>/remove/", views.member_remove, name="member_remove"),
    path("organizations/<int:pk>/outcomes/", views.organization_outcomes, name="organization_outcomes"),
    path("invitations/<str:token>/", views.accept_invitation, name="accept_invitation"),
    path("contracts/", views.contract_list, name="contract_list"),
    path("contracts/<int:pk>/", views.contract_detail, name="contract_detail"),
    path("contracts/<int:pk>/renew/", views.request_renewal, name="request_renewal"),
    path("contracts/<int:pk>/notice/", views.give_notice, name="give_notice"),
    path("renewals/<int:pk>/", views.renewal_detail, name="renewal_detail"),
    path("renewals/<int:pk>/resubmit/", views.resubmit_renewal, name="resubmit_renewal"),
    path("renewals/<int:pk>/accept/", views.accept_renewal, name="accept_renewal"),
    path("renewals/<int:pk>/documents/<int:document_pk>/", views.renewal_document, name="renewal_document"),
    path("manage/contracts/", manage_views.contract_list, name="manage_contracts"),
    path("manage/renewals/", manage_views.renewal_queue, name="renewal_queue"),
    path("manage/renewals/<int:pk>/approve/", manage_views.approve_renewal, name="approve_renewal"),
    path("manage/renewals/<int:pk>/reject/", manage_views.reject_renewal, name="reject_renewal"),
    path("manage/renewals/<int:pk>/request-changes/", manage_views.request_changes, name="request_changes"),
    path("manage/units/", manage_views.unit_list, name="unit_list"),
    path("manage/outcomes/", manage_views.outcome_table, name="manage_outcomes"),
    path("manage/outcomes/<int:organization_pk>/ask/", manage_views.ask_outcome_report, name="ask_outcome_report"),
]
