#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: run_lock
short_description: One run at a time per service group - the deploy lock of deploy, rollback and restore
version_added: 0.1.0
description:
  - Takes (O(state=acquired)) or gives back (O(state=released)) the deploy lock of a service group, held
    for a whole run, so that two runs that change the group never interleave. The run that finds the lock
    held by another live run fails at once (or after O(lock_timeout)) naming that run, when it took the
    lock and when the lock expires; nothing is changed.
  - O(platform=kubernetes) - a C(coordination.k8s.io) Lease C(runbook-run-<group>) in O(namespace),
    distinct from the Lease C(runbook-switch-<group>) of M(runbook.ops.bluegreen_switch), so the run's
    own switch does not wait for it. Writes carry the Lease's resourceVersion, so of two runs one wins.
  - O(platform=file) - a file C(runbook-run-<group>.lock) in O(lock_dir) (next to the nginx configuration)
    holding the holder, pid, host and expiry as JSON. It is created whole with an exclusive link, so of
    two runs creating it one wins.
  - A lock is taken when it is absent, released, holder-less, held by this O(holder) (then its expiry is
    renewed; call it again as each phase starts), expired, or held by a process of this same host that is
    no longer running (O(holder_pid) on O(holder_host)). Taking over an expired or dead holder's lock is
    reported as a warning naming it.
  - O(state=released) removes the lock only when O(holder) holds it; another run's lock is left alone
    with a warning.
author:
  - runbook.ops maintainers (@runbook-ops)
extends_documentation_fragment:
  - kubernetes.core.k8s_auth_options
attributes:
  check_mode:
    support: full
    description:
      - Reads the lock and reports who holds it and what the run would do; takes and removes nothing. A lock
        held by another live run fails as the real run would.
  diff_mode:
    support: full
    description: The lock record (holder, pid, host, times) before and after.
  action:
    support: full
    description: An action plugin fills in the identity of the run (O(holder), O(holder_pid), O(holder_host)).
options:
  state:
    description: Take and renew the lock, or give it back.
    type: str
    choices: [acquired, released]
    default: acquired
  group:
    description:
      - Name of the service group the lock protects; it names the Lease or the file. Lower-case letters,
        digits and C(-), at most 63.
    type: str
    required: true
  platform:
    description: Where the lock lives.
    type: str
    choices: [kubernetes, file]
    default: kubernetes
  namespace:
    description: Namespace of the Lease (O(platform=kubernetes)).
    type: str
  lock_dir:
    description: Existing directory of the lock file (O(platform=file)), such as nginx's C(conf.d).
    type: path
  holder:
    description:
      - Identity of the run. By default C(awx-job-<id>) inside AWX or Tower (C(awx_job_id), C(tower_job_id)),
        else C(<user>@<host>:<pid>) of the ansible-playbook process on the controller; either followed by
        C(/<run_id>) when O(run_id) is given.
      - Every task of one run must give the same identity, so that it renews and releases its own lock.
    type: str
  run_id:
    description: A token of this run appended to the default O(holder), so a reused pid is not taken for this run.
    type: str
  holder_pid:
    description:
      - Process id of the run; a lock whose process no longer runs on this host is taken over before it
        expires. Default the ansible-playbook process.
    type: int
  holder_host:
    description: Host name of that process. Default the controller's host name.
    type: str
  ttl:
    description:
      - Seconds the lock stays valid after it was taken or last renewed. A run killed without releasing it
        blocks the group this long at most (on the same host, only while its process lives).
    type: int
    default: 3600
  lock_timeout:
    description: Seconds to wait for another run to give the lock back; 0 fails at once.
    type: int
    default: 0
requirements:
  - kubernetes >= 24.2.0 (O(platform=kubernetes))
seealso:
  - module: runbook.ops.bluegreen_switch
    description: The switch's own, shorter Lease, held only while the Services move.
  - name: Kubernetes Leases
    description: The coordination.k8s.io Lease object.
    link: https://kubernetes.io/docs/concepts/architecture/leases/
notes:
  - The playbooks of this collection take the lock at the start of preflight, renew it as each phase
    starts and release it when the run ends, whatever its outcome.
'''

EXAMPLES = r'''
- name: Take the deploy lock of the group before anything changes
  runbook.ops.run_lock:
    group: judgify-prod
    namespace: judgify-prod
    run_id: "{{ deploy_run_id }}"
  register: deploy_lock

- name: Wait up to 10 minutes for another run to finish, on the nginx platform
  runbook.ops.run_lock:
    platform: file
    lock_dir: /etc/nginx/conf.d
    group: local
    run_id: "{{ deploy_run_id }}"
    lock_timeout: 600

- name: Give the lock back when the run ends
  runbook.ops.run_lock:
    state: released
    group: judgify-prod
    namespace: judgify-prod
    run_id: "{{ deploy_run_id }}"
  when: deploy_lock.acquired | default(false)
'''

RETURN = r'''
acquired:
  description: Whether the run holds the lock now (O(state=acquired)); in check mode, whether it would.
  returned: success and when the lock is held by another run
  type: bool
  sample: true
released:
  description: Whether the run's lock was removed (O(state=released)); in check mode, whether it would be.
  returned: success with O(state=released)
  type: bool
  sample: false
holder:
  description: The identity of this run.
  returned: success
  type: str
  sample: ops@ctl01:41234/3f9c2a1b
verdict:
  description: What was found - C(free), C(ours) (renewed), C(expired) or C(dead) (taken over).
  returned: success with O(state=acquired)
  type: str
  sample: free
renewed:
  description: The lock was this run's already and its expiry was pushed back.
  returned: success with O(state=acquired)
  type: bool
  sample: false
taken_over:
  description: Holder of the expired or dead lock this run took over, else null.
  returned: success with O(state=acquired)
  type: str
  sample: null
expires:
  description: When the lock expires unless renewed (UTC).
  returned: success with O(state=acquired)
  type: str
  sample: "2026-12-01T23:04:05.123456Z"
lock:
  description: The lock as written - C(holder), C(pid), C(host), C(acquired), C(renewed), C(expires), C(ttl).
  returned: success with O(state=acquired)
  type: dict
  sample: {holder: 'ops@ctl01:41234/3f9c2a1b', pid: 41234, host: ctl01, acquired: '2026-12-01T22:04:05.123456Z',
           renewed: '2026-12-01T22:04:05.123456Z', expires: '2026-12-01T23:04:05.123456Z', ttl: 3600}
previous:
  description: The lock found before, in the same shape; null when there was none or it was free.
  returned: success
  type: dict
  sample: {holder: 'ops@ctl01:41234/3f9c2a1b', pid: 41234, host: ctl01, acquired: '2026-12-01T21:58:10.480211Z',
           renewed: '2026-12-01T21:58:10.480211Z', expires: '2026-12-01T22:58:10.480211Z', ttl: 3600}
held_by:
  description: The lock of the run that holds it, in the same shape.
  returned: when another run holds the lock
  type: dict
  sample: {holder: awx-job-4711/77aa01c3, pid: 5120, host: awx-ee-7f9c, acquired: '2026-12-01T21:58:10.480211Z',
           renewed: '2026-12-01T22:01:44.902117Z', expires: '2026-12-01T23:01:44.902117Z', ttl: 3600}
location:
  description: The Lease (name and namespace) or the lock file.
  returned: always
  type: str
  sample: Lease runbook-run-judgify-prod in namespace judgify-prod
diff:
  description: The lock record before and after, in diff mode.
  returned: when diff mode is on
  type: dict
  sample:
    before: {}
    after: {holder: 'ops@ctl01:41234/3f9c2a1b', pid: 41234, host: ctl01, acquired: '2026-12-01T22:04:05.123456Z',
            renewed: '2026-12-01T22:04:05.123456Z', expires: '2026-12-01T23:04:05.123456Z', ttl: 3600}
elapsed_ms:
  description: Milliseconds spent validating, on the lock (or the release), and in total.
  returned: always
  type: dict
  sample: {validate: 11.3, lock: 5.9, total: 18.6}
'''

import os

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.runbook.ops.plugins.module_utils.errors import InputError
from ansible_collections.runbook.ops.plugins.module_utils.k8s.client import AUTH_ARG_SPEC, HAS_K8S_CORE, ansible_module, build_module
from ansible_collections.runbook.ops.plugins.module_utils.module import run_module
from ansible_collections.runbook.ops.plugins.module_utils.run_lock import run


def argument_spec():
    spec = dict(
        state=dict(type='str', choices=['acquired', 'released'], default='acquired'),
        group=dict(type='str', required=True),
        platform=dict(type='str', choices=['kubernetes', 'file'], default='kubernetes'),
        namespace=dict(type='str'),
        lock_dir=dict(type='path'),
        holder=dict(type='str'),
        run_id=dict(type='str'),
        holder_pid=dict(type='int'),
        holder_host=dict(type='str'),
        ttl=dict(type='int', default=3600),
        lock_timeout=dict(type='int', default=0),
    )
    spec.update(AUTH_ARG_SPEC)
    return spec


def open_store(module, group):
    """The platform's store; each platform's I/O stays in its own module_utils file."""
    params = module.params
    if params['platform'] == 'file':
        from ansible_collections.runbook.ops.plugins.module_utils.run_lock import lock_file
        if not params.get('lock_dir') or not os.path.isdir(params['lock_dir']):
            raise InputError('lock_dir', params.get('lock_dir'), 'give an existing directory, such as nginx\'s conf.d')
        return lock_file.FileStore(params['lock_dir'], group)
    if not params.get('namespace'):
        raise InputError('namespace', params.get('namespace'), 'give the namespace of the Lease')
    if not HAS_K8S_CORE:
        module.fail_json(msg=missing_required_lib('kubernetes.core collection'))
    module.requires('kubernetes')
    from ansible_collections.runbook.ops.plugins.module_utils.run_lock import kubernetes
    return kubernetes.LeaseStore(module, params['namespace'], group)


def main():
    module = build_module(argument_spec())
    raw = ansible_module(module)
    run_module(raw, lambda timer: run.run(module, timer, open_store))


if __name__ == '__main__':
    main()
