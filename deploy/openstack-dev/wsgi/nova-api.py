# uwsgi entry point: Nova compute API. Config from OS_NOVA_CONFIG_DIR and OS_NOVA_CONFIG_FILES
# ("api-paste.ini;nova.conf;nova-db.conf", set by openstack-dev.sh): Nova loads its paste
# pipeline from the first file of that list.
from nova.api.openstack.compute.wsgi import init_application

application = init_application()
