"""punchlab on one shared server: what every attendee's Jupyter server needs from JupyterHub.

Load it from a hub's own configuration (it sets no authenticator and no spawner, which are the
host's choice):

- The Littlest JupyterHub: copy it to `/opt/tljh/config/jupyterhub_config.d/punchlab.py`, then
  `sudo tljh-config reload`.
- Any other hub: `load_subconfig("/path/to/punchlab/deploy/jupyterhub_config.py")` in
  `jupyterhub_config.py` (tests/hub/ does exactly that around a real hub).

What it sets, and why:

- `PUNCHLAB_HOME=~/.punchlab`: punchlab expands `~` in the attendee's own process, so each
  attendee's agents, runs and punches live under their own home, whatever the spawner.
- Idle culling by each server itself (no extra service): an idle kernel stops after 30 minutes, a
  server with no activity after an hour, so a forgotten tab frees its memory.
- Ports: the mock always binds a free port under a hub (`MockServer.serve()` and `punchlab serve`
  pick one), and attendees reach it through jupyter-server-proxy at
  `/user/<name>/proxy/<port>`; nothing here opens a port.
"""

c = get_config()  # noqa: F821 (provided by JupyterHub's configuration loader)

c.Spawner.environment.update({"PUNCHLAB_HOME": "~/.punchlab"})
c.Spawner.default_url = "/lab"
c.Spawner.args.extend(
    [
        "--MappingKernelManager.cull_idle_timeout=1800",
        "--MappingKernelManager.cull_interval=120",
        "--ServerApp.shutdown_no_activity_timeout=3600",
    ]
)
# Memory per attendee (docs/workshop.md): a server and its kernel hold 260 MB after the course's
# steps (benchmarks/hub_capacity.py); the guarantee adds 25 % headroom, the limit leaves room for
# the larger runs of notebooks 04 and 06. Only spawners that enforce them use them (TLJH's systemd,
# Kubernetes).
c.Spawner.mem_guarantee = "330M"
c.Spawner.mem_limit = "1G"
