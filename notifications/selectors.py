from django.contrib.contenttypes.prefetch import GenericPrefetch

from notifications import registry, services


def inbox_with_subjects(user):
    """The user's in-app notifications with their subjects and what their messages show: one query per
    kind of subject (as the apps registered them), whatever the number of notifications."""
    return services.inbox(user).prefetch_related(GenericPrefetch("subject", registry.subject_querysets()))
