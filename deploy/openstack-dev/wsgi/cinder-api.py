# uwsgi entry point: Cinder block-storage API. Cinder's WSGI app parses sys.argv for its options,
# which under uwsgi are uwsgi's own, so the config file is handed over explicitly here
# (FERRY_CINDER_CONF, set by openstack-dev.sh).
import os
import sys

sys.argv = ['cinder-api', '--config-file', os.environ['FERRY_CINDER_CONF']]

from cinder.wsgi.wsgi import initialize_application  # noqa: E402

application = initialize_application()
