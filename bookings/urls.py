from django.urls import path

from bookings import manage_views, reduction_views, schedule_views, views

app_name = "bookings"

urlpatterns = [
    path("spaces/", views.space_list, name="space_list"),
    path("spaces/schedule/", schedule_views.finder_schedule, name="schedule"),
    path("spaces/<slug:slug>/", views.space_detail, name="space_detail"),
    path("spaces/<slug:slug>/book/", views.book_space, name="book_space"),
    path("spaces/<slug:slug>/calendar.ics", views.space_feed, name="space_feed"),
    path("spaces/<slug:slug>/check-in/", views.check_in, name="check_in"),
    path("bookings/", views.my_bookings, name="my_bookings"),
    path("bookings/<int:pk>/", views.booking_detail, name="booking_detail"),
    path("bookings/<int:pk>/cancel/", views.cancel_booking, name="cancel_booking"),
    path("bookings/<int:pk>/offer/", views.answer_offer, name="answer_offer"),
    path("waitlist/<int:pk>/leave/", views.leave_waitlist, name="leave_waitlist"),
    path("calendar/rotate/", views.rotate_feed, name="rotate_feed"),
    path("calendar/<str:token>.ics", views.personal_feed, name="personal_feed"),
    path("manage/approvals/", manage_views.approval_queue, name="approval_queue"),
    path("manage/approvals/approve/", manage_views.bulk_approve, name="bulk_approve"),
    path("manage/bookings/<int:pk>/approve/", manage_views.approve, name="approve"),
    path("manage/bookings/<int:pk>/reject/", manage_views.reject, name="reject"),
    path("manage/bookings/<int:pk>/series/", manage_views.decide_series, name="decide_series"),
    path("manage/payments/", manage_views.payments, name="payments"),
    path("manage/bookings/<int:pk>/payment/", manage_views.record_payment, name="record_payment"),
    path("manage/bookings/<int:pk>/refund/", manage_views.record_refund, name="record_refund"),
    path("manage/calendar/", schedule_views.facility_calendar, name="facility_calendar"),
    path("manage/closures/", manage_views.closure_list, name="closure_list"),
    path("manage/closures/<int:pk>/", manage_views.closure_detail, name="closure_detail"),
    path(
        "manage/closures/<int:pk>/cancel-bookings/",
        manage_views.closure_cancel_bookings,
        name="closure_cancel_bookings",
    ),
    path("manage/closures/<int:pk>/delete/", manage_views.closure_delete, name="closure_delete"),
    path("manage/spaces/<slug:slug>/policy/", manage_views.space_policy, name="space_policy"),
    path("manage/spaces/<slug:slug>/qr/", manage_views.space_qr, name="space_qr"),
    path("reductions/", reduction_views.reductions_page, name="reductions"),
    path("reductions/<int:pk>/document/", reduction_views.reduction_document, name="reduction_document"),
    path("reductions/<int:pk>/withdraw/", reduction_views.withdraw_reduction, name="withdraw_reduction"),
    path("manage/reductions/", reduction_views.reduction_queue, name="reduction_queue"),
    path("manage/reductions/<int:pk>/approve/", reduction_views.approve_reduction, name="approve_reduction"),
    path("manage/reductions/<int:pk>/refuse/", reduction_views.refuse_reduction, name="refuse_reduction"),
]
