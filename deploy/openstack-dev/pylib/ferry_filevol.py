"""Cinder volume driver "file" for Ferry's loopback OpenStack.

The test machine has no kernel iSCSI target, no device-mapper and no LVM, so a real backend is
out of reach. This driver keeps each volume as one sparse file under ``ferry_volume_dir``:

* create/extend: a sparse file of the volume's size (``truncate``), so a 20 GiB volume costs
  nothing until data is written into it;
* image -> volume: Cinder's own ``image_utils.fetch_to_raw`` (download from Glance, format check,
  a real ``qemu-img convert`` to raw into the file);
* volume -> image: Cinder's own ``volume_utils.upload_volume`` (``qemu-img convert`` to the
  image's disk format, upload to Glance);
* clone/snapshot: sparse copies (``cp --sparse=always``);
* attach: a "local" connection whose ``device_path`` is the file. Nova's fake virt driver never
  uses it (it records the connection and returns), so nothing is really attached.

Everything runs as the cinder-volume process's own user (root on the test machine), never
through rootwrap.
"""

import os

from oslo_config import cfg
from oslo_log import log as logging
from oslo_utils import units

from cinder import exception
from cinder.image import image_utils
from cinder.volume import driver
from cinder.volume import volume_utils

LOG = logging.getLogger(__name__)

file_opts = [
    cfg.StrOpt('ferry_volume_dir',
               default='$state_path/ferry-volumes',
               help='Directory that holds one sparse file per volume and snapshot.'),
]

cfg.CONF.register_opts(file_opts, group='backend_defaults')


class FileVolumeDriver(driver.VolumeDriver):
    """One sparse file per volume; image conversions by qemu-img."""

    VERSION = '0.1.0'
    # No third-party CI for a test-only driver; there is nothing to report.
    CI_WIKI_NAME = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.configuration.append_config_values(file_opts)
        self._dir = None

    # -- set-up -----------------------------------------------------------------------------

    def do_setup(self, context):
        self._dir = os.path.abspath(self.configuration.ferry_volume_dir)
        os.makedirs(self._dir, exist_ok=True)

    def check_for_setup_error(self):
        if not os.access(self._dir, os.W_OK):
            raise exception.VolumeBackendAPIException(
                data='volume directory %s is not writable' % self._dir)

    # -- paths ------------------------------------------------------------------------------

    def local_path(self, volume):
        return os.path.join(self._dir, volume.name)

    def _snapshot_path(self, snapshot):
        return os.path.join(self._dir, snapshot.name)

    @staticmethod
    def _set_size(path, size_gb):
        """Make the file exactly size_gb GiB; growing it keeps it sparse."""
        with open(path, 'ab'):
            pass
        os.truncate(path, int(size_gb) * units.Gi)

    def _sparse_copy(self, src, dst):
        self._execute('cp', '--sparse=always', src, dst)

    # -- volumes ----------------------------------------------------------------------------

    def create_volume(self, volume):
        path = self.local_path(volume)
        LOG.info('creating volume %s as sparse file %s (%s GiB)', volume.id, path, volume.size)
        self._set_size(path, volume.size)
        return {}

    def delete_volume(self, volume):
        try:
            os.unlink(self.local_path(volume))
        except FileNotFoundError:
            pass

    def extend_volume(self, volume, new_size):
        self._set_size(self.local_path(volume), new_size)

    def create_cloned_volume(self, volume, src_vref):
        path = self.local_path(volume)
        self._sparse_copy(self.local_path(src_vref), path)
        self._set_size(path, max(volume.size, src_vref.size))
        return {}

    # -- snapshots --------------------------------------------------------------------------

    def create_snapshot(self, snapshot):
        self._sparse_copy(self.local_path(snapshot.volume), self._snapshot_path(snapshot))

    def delete_snapshot(self, snapshot):
        try:
            os.unlink(self._snapshot_path(snapshot))
        except FileNotFoundError:
            pass

    def create_volume_from_snapshot(self, volume, snapshot):
        path = self.local_path(volume)
        self._sparse_copy(self._snapshot_path(snapshot), path)
        self._set_size(path, max(volume.size, snapshot.volume_size))
        return {}

    def revert_to_snapshot(self, context, volume, snapshot):
        path = self.local_path(volume)
        self._sparse_copy(self._snapshot_path(snapshot), path + '.revert')
        os.replace(path + '.revert', path)
        self._set_size(path, volume.size)

    # -- images -----------------------------------------------------------------------------

    def copy_image_to_volume(self, context, volume, image_service, image_id, **kwargs):
        # Zed's fetch_to_raw takes no disable_sparse argument: do not pass one.
        path = self.local_path(volume)
        image_utils.fetch_to_raw(context, image_service, image_id, path,
                                 self.configuration.volume_dd_blocksize,
                                 size=volume.size, run_as_root=False)
        # qemu-img leaves the file at the image's virtual size; give the volume its full size.
        self._set_size(path, volume.size)

    def copy_volume_to_image(self, context, volume, image_service, image_meta):
        volume_utils.upload_volume(context, image_service, image_meta,
                                   self.local_path(volume), volume,
                                   run_as_root=False)

    # -- exports and connections ------------------------------------------------------------

    def create_export(self, context, volume, connector):
        return None

    def ensure_export(self, context, volume):
        return None

    def remove_export(self, context, volume):
        return None

    def initialize_connection(self, volume, connector, **kwargs):
        return {'driver_volume_type': 'local',
                'data': {'device_path': self.local_path(volume),
                         'volume_id': volume.id,
                         'access_mode': 'rw'}}

    def terminate_connection(self, volume, connector, **kwargs):
        return None

    # -- stats ------------------------------------------------------------------------------

    def _update_volume_stats(self):
        st = os.statvfs(self._dir)
        total = st.f_blocks * st.f_frsize / units.Gi
        free = st.f_bavail * st.f_frsize / units.Gi
        provisioned = 0
        try:
            for entry in os.scandir(self._dir):
                if entry.is_file():
                    provisioned += entry.stat().st_size
        except OSError as err:
            LOG.warning('cannot list %s: %s', self._dir, err)
        backend = self.configuration.safe_get('volume_backend_name') or 'file'
        self._stats = {
            'volume_backend_name': backend,
            'vendor_name': 'Ferry',
            'driver_version': self.VERSION,
            'storage_protocol': 'local',
            'total_capacity_gb': round(total, 2),
            'free_capacity_gb': round(free, 2),
            'provisioned_capacity_gb': round(provisioned / units.Gi, 2),
            'reserved_percentage': 0,
            'thin_provisioning_support': True,
            'thick_provisioning_support': False,
            'max_over_subscription_ratio':
                self.configuration.safe_get('max_over_subscription_ratio'),
            'multiattach': False,
            'QoS_support': False,
        }


