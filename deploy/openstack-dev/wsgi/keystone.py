# uwsgi entry point: Keystone public API. Config from OS_KEYSTONE_CONFIG_DIR (set by openstack-dev.sh).
from keystone.server.wsgi import initialize_public_application

application = initialize_public_application()
