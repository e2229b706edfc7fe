# Point event-routing-backends at the Ralph LRS (idempotent: one route per URL).
# The account's password is read from the LMS settings (ASPECTS_LMS_INIT_SECRETS),
# never pasted into this task.
./manage.py lms shell -c "
from django.conf import settings
from event_routing_backends.models import RouterConfiguration
RouterConfiguration.objects.update_or_create(
    route_url='http://{{ RALPH_HOST }}:{{ RALPH_PORT }}/xAPI/',
    backend_name='xapi',
    defaults=dict(
        enabled=True,
        auth_scheme='Basic',
        username='{{ RALPH_LMS_USERNAME }}',
        password=settings.ASPECTS_LMS_INIT_SECRETS['ralph_password'],
        configurations={},
    ),
)
print('xAPI route to Ralph configured')
"
{% if SUPERSET_LMS_SIGN_IN %}
# Superset signs people in through the LMS (OAuth2): its application, owned by a
# user of its own, created or brought up to date, without a consent screen. Written
# through the models rather than create_dot_application, which logs the secret.
./manage.py lms manage_user {{ SUPERSET_OAUTH2_CLIENT_ID }} {{ SUPERSET_OAUTH2_CLIENT_ID }}@{{ LMS_HOST }} --unusable-password
./manage.py lms shell -c "
from django.conf import settings
from django.contrib.auth import get_user_model
from oauth2_provider.models import get_application_model
from openedx.core.djangoapps.oauth_dispatch.models import ApplicationAccess
Application = get_application_model()
application, _ = Application.objects.update_or_create(
    user=get_user_model().objects.get(username='{{ SUPERSET_OAUTH2_CLIENT_ID }}'),
    name='aspects-superset-sso',
    defaults=dict(
        client_id='{{ SUPERSET_OAUTH2_CLIENT_ID }}',
        client_secret=settings.ASPECTS_LMS_INIT_SECRETS['superset_oauth2_client_secret'],
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris='{{ SUPERSET_PUBLIC_URL }}/oauth-authorized/openedx',
        skip_authorization=True,
    ),
)
ApplicationAccess.objects.update_or_create(application_id=application.id, defaults=dict(scopes=['user_id']))
print('Superset sign-in application configured')
"
{%- endif %}
