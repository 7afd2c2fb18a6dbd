#!/usr/bin/python3
"""Keystone catalog and test resources for Ferry's loopback OpenStack (run by openstack-dev.sh).

    provision.py catalog    service role for admin, a "ferry" member user, the service catalog
    provision.py resources  flavors, network "private" 10.0.0.0/24, raised quotas; then waits
                            until Nova has a usable compute host and Cinder a volume pool
    provision.py libvirt-zone HOST
                            aggregate "libvirt" (availability zone "libvirt") holding HOST, the
                            compute host that runs real guests; waits until Nova shows the zone

Idempotent: what exists is left as it is. Uses openstacksdk (Debian's python3-openstacksdk) with
the cloud "openstack" of OS_CLIENT_CONFIG_FILE.
"""

import sys
import time

import openstack

REGION = 'RegionOne'
HOST = '127.0.0.1'

# (service name, service type, endpoint URL)
CATALOG = [
    ('glance', 'image', f'http://{HOST}:9292'),
    ('placement', 'placement', f'http://{HOST}:8778'),
    ('nova', 'compute', f'http://{HOST}:8774/v2.1'),
    ('neutron', 'network', f'http://{HOST}:9696'),
    # Cinder needs both: "block-storage" is the current type, "volumev3" is what Nova
    # ([cinder] catalog_info) and older clients look up.
    ('cinder', 'block-storage', f'http://{HOST}:8776/v3/%(project_id)s'),
    ('cinderv3', 'volumev3', f'http://{HOST}:8776/v3/%(project_id)s'),
]

# (id, name, vcpus, ram MiB, disk GiB)
FLAVORS = [
    ('1', 'm1.tiny', 1, 512, 1),
    ('2', 'm1.small', 1, 2048, 20),
    ('3', 'm1.medium', 2, 4096, 40),
    ('4', 'm1.large', 4, 8192, 80),
    ('5', 'm1.xlarge', 8, 16384, 160),
]

COMPUTE_QUOTAS = dict(instances=50, cores=200, ram=409600)
VOLUME_QUOTAS = dict(volumes=100, gigabytes=2000, snapshots=100)
NETWORK_QUOTAS = dict(networks=100, subnets=100, ports=500, routers=20,
                      floating_ips=100, security_groups=100, security_group_rules=1000)

FERRY_USER, FERRY_PASSWORD = 'ferry', 'ferry-secret'


def log(msg):
    print(f'provision: {msg}', flush=True)


def connect():
    return openstack.connect(cloud='openstack')


def first(iterable):
    return next(iter(iterable), None)


# Lookups list by name: the SDK's find_*() first GETs the name as an ID, and Keystone logs every
# such 404 as an ERROR with a traceback.
def ensure_role(conn, name):
    role = first(conn.identity.roles(name=name))
    if role is None:
        role = conn.identity.create_role(name=name)
        log(f'role {name} created')
    return role


def grant(conn, role, user, project):
    held = conn.identity.role_assignments_filter(project=project, user=user)
    if not any(r.id == role.id for r in held):
        conn.identity.assign_project_role_to_user(project, user, role)


def admin_project(conn):
    return first(conn.identity.projects(name='admin', domain_id='default'))


def catalog():
    conn = connect()
    ident = conn.identity
    project = admin_project(conn)
    admin = first(ident.users(name='admin', domain_id='default'))

    # Every service authenticates as admin; Cinder only honours a service token (Nova's, for
    # attachment deletes) when its user has the "service" role.
    grant(conn, ensure_role(conn, 'service'), admin, project)

    ferry = first(ident.users(name=FERRY_USER, domain_id='default'))
    if ferry is None:
        ferry = ident.create_user(name=FERRY_USER, password=FERRY_PASSWORD,
                                  domain_id='default', default_project_id=project.id)
        log(f'user {FERRY_USER} created')
    grant(conn, ensure_role(conn, 'member'), ferry, project)

    services = list(ident.services())
    endpoints = list(ident.endpoints())
    for name, type_, url in CATALOG:
        svc = next((s for s in services if s.type == type_ and s.name == name), None)
        if svc is None:
            svc = ident.create_service(name=name, type=type_, is_enabled=True)
            log(f'service {name} ({type_}) created')
        for iface in ('public', 'internal', 'admin'):
            mine = [e for e in endpoints
                    if e.service_id == svc.id and e.interface == iface]
            if any(e.url == url and e.region_id == REGION for e in mine):
                continue
            for e in mine:
                ident.delete_endpoint(e)
            ident.create_endpoint(service_id=svc.id, interface=iface, url=url,
                                  region_id=REGION)
    log('catalog ready')


def wait_for(what, check, timeout):
    deadline = time.monotonic() + timeout
    last_err = None
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except Exception as err:  # the service may still be starting
            last_err = err
        time.sleep(0.5)
    sys.exit(f'provision: timed out after {timeout} s waiting for {what}'
             + (f' (last error: {last_err})' if last_err else ''))


def resources():
    conn = connect()
    project = admin_project(conn)

    have = {f.name for f in conn.compute.flavors(is_public=None)}
    for fid, name, vcpus, ram, disk in FLAVORS:
        if name not in have:
            conn.compute.create_flavor(id=fid, name=name, vcpus=vcpus, ram=ram, disk=disk,
                                       is_public=True)
            log(f'flavor {name} created')

    # By name in any project: a network of a project that a re-created Keystone no longer knows
    # still serves (admin can use it), and a second "private" would make the name ambiguous.
    net = first(conn.network.networks(name='private'))
    if net is None:
        net = conn.network.create_network(name='private', project_id=project.id)
        log('network private created')
    if not list(conn.network.subnets(network_id=net.id)):
        conn.network.create_subnet(name='private-subnet', network_id=net.id, ip_version=4,
                                   cidr='10.0.0.0/24', gateway_ip='10.0.0.1',
                                   project_id=project.id)
        log('subnet private-subnet 10.0.0.0/24 created')

    conn.set_compute_quotas(project.id, **COMPUTE_QUOTAS)
    conn.set_network_quotas(project.id, **NETWORK_QUOTAS)

    # Nova: a compute service that is up and a hypervisor (with its resource provider).
    def compute_ready():
        up = [s for s in conn.compute.services()
              if s.binary == 'nova-compute' and s.state == 'up' and s.status == 'enabled']
        return up and list(conn.compute.hypervisors())
    wait_for('nova-compute and its hypervisor', compute_ready, 180)

    # Cinder: the volume service has reported its pool to the scheduler.
    def pools_ready():
        resp = conn.block_storage.get('/scheduler-stats/get_pools')
        return resp.status_code == 200 and resp.json().get('pools')
    wait_for('a Cinder volume pool', pools_ready, 180)
    conn.set_volume_quotas(project.id, **VOLUME_QUOTAS)
    log('resources ready')


def libvirt_zone(host):
    conn = connect()
    agg = first(a for a in conn.compute.aggregates() if a.name == 'libvirt')
    if not agg:
        agg = conn.compute.create_aggregate(name='libvirt', availability_zone='libvirt')
        log('aggregate libvirt (zone libvirt) created')
    if host not in (agg.hosts or []):
        conn.compute.add_host_to_aggregate(agg, host)
        log(f'host {host} added to zone libvirt')

    def zone_ready():
        return any(z.name == 'libvirt' and z.state.get('available')
                   for z in conn.compute.availability_zones())
    wait_for('availability zone libvirt', zone_ready, 120)


def main():
    steps = {'catalog': catalog, 'resources': resources, 'libvirt-zone': libvirt_zone}
    if len(sys.argv) < 2 or sys.argv[1] not in steps:
        sys.exit(f'usage: {sys.argv[0]} {{{"|".join(steps)}}} [HOST]')
    steps[sys.argv[1]](*sys.argv[2:])


if __name__ == '__main__':
    main()
