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
