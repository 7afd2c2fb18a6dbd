# uwsgi entry point: Placement API. Config from OS_PLACEMENT_CONFIG_DIR (set by openstack-dev.sh).
from placement.wsgi import init_application

application = init_application()
