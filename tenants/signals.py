from allauth.account.signals import user_logged_in
from django.contrib import messages
from django.dispatch import receiver
from django.utils.translation import gettext as _


@receiver(user_logged_in, dispatch_uid="tenants.accept_pending_invitation")
def accept_pending_invitation(sender, request, user, **kwargs):
    """Someone who opened an invitation link and then signed up or in joins the organization."""
    from tenants import services

    token = request.session.pop("pending_invitation", None)
    if not token:
        return
    try:
        membership = services.accept_invitation(token=token, user=user)
    except services.TenancyError as error:
        messages.warning(request, error.message)
    else:
        messages.success(request, _("You joined %(organization)s.") % {"organization": membership.organization})
