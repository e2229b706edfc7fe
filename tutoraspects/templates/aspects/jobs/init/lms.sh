# Point event-routing-backends at the Ralph LRS (idempotent: one route per URL).
./manage.py lms shell -c "
from event_routing_backends.models import RouterConfiguration
RouterConfiguration.objects.update_or_create(
    route_url='http://{{ RALPH_HOST }}:{{ RALPH_PORT }}/xAPI/',
    backend_name='xapi',
    defaults=dict(
        enabled=True,
        auth_scheme='Basic',
        username='{{ RALPH_LMS_USERNAME }}',
        password='{{ RALPH_LMS_PASSWORD }}',
        configurations={},
    ),
)
print('xAPI route to Ralph configured')
"
{% if SUPERSET_LMS_SIGN_IN %}
# Superset signs people in through the LMS (OAuth2): its application, owned by a
# user of its own, created or brought up to date (--update), without a consent screen.
./manage.py lms manage_user {{ SUPERSET_OAUTH2_CLIENT_ID }} {{ SUPERSET_OAUTH2_CLIENT_ID }}@{{ LMS_HOST }} --unusable-password
./manage.py lms create_dot_application \
    --grant-type authorization-code \
    --redirect-uris "{{ SUPERSET_PUBLIC_URL }}/oauth-authorized/openedx" \
    --client-id "{{ SUPERSET_OAUTH2_CLIENT_ID }}" \
    --client-secret "{{ SUPERSET_OAUTH2_CLIENT_SECRET }}" \
    --scopes user_id \
    --skip-authorization \
    --update \
    aspects-superset-sso {{ SUPERSET_OAUTH2_CLIENT_ID }}
{%- endif %}
