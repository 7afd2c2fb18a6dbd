"""ML2 mechanism driver "fakebind" for Ferry's loopback OpenStack.

There is no L2 agent on the test cloud, and the stock mechanism drivers (openvswitch,
linuxbridge) only bind a port for a host that has a live agent. Without a binding, nova-compute
fails the build with PortBindingFailed. This driver binds every port on the first segment offered,
as an OVS port with hybrid plugging off, and marks it ACTIVE. Nothing is plugged anywhere: the
fake virt driver does not need it. Ports of the libvirt host (a host name ending in ``-libvirt``)
are bound as ``bridge``: os-vif makes a Linux bridge per network and libvirt plugs the guest's tap
into it (``tap`` fails: Nova pre-creates the tap, which libvirt then refuses).

Registered as entry point ``neutron.ml2.mechanism_drivers: fakebind`` by the
``ferry_openstack_dev-0.1.dist-info`` beside this file (ML2 loads drivers by entry-point name).
"""

from neutron_lib import constants
from neutron_lib.api.definitions import portbindings
from neutron_lib.plugins.ml2 import api


class FakeBindMechanismDriver(api.MechanismDriver):
    def initialize(self):
        pass

    @property
    def connectivity(self):
        return portbindings.CONNECTIVITY_L2

    def bind_port(self, context):
        for segment in context.segments_to_bind:
            if (context.host or '').endswith('-libvirt'):
                context.set_binding(
                    segment[api.ID],
                    portbindings.VIF_TYPE_BRIDGE,
                    {portbindings.CAP_PORT_FILTER: True},
                    status=constants.PORT_STATUS_ACTIVE)
                return
            context.set_binding(
                segment[api.ID],
                portbindings.VIF_TYPE_OVS,
                {portbindings.CAP_PORT_FILTER: True,
                 portbindings.OVS_HYBRID_PLUG: False},
                status=constants.PORT_STATUS_ACTIVE)
            return
