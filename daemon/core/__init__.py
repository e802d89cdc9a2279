"""The daemon core: jobs, sign-in, settings, library and events behind one Qt-free object
(``daemon.core.core.DaemonCore``) that the control API, the watcher and tests drive alike."""
