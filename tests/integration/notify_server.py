#!/usr/bin/python3
# notify_server.py LOG READY [--hang]: a minimal desktop notification
# service on the session bus, for tests/integration/test_notify.sh.
#
# Owns org.freedesktop.Notifications and writes one JSON line to LOG for
# each Notify call (app_name, summary, body, urgency, replaces_id), then
# answers with a new id.  Touches READY once the name is owned.  With
# --hang it owns the name but never answers, like a wedged daemon.
# /usr/bin/python3 on purpose: it has the gi module.
import json
import sys

from gi.repository import Gio, GLib

XML = """
<node>
  <interface name="org.freedesktop.Notifications">
    <method name="Notify">
      <arg type="s" direction="in"/><arg type="u" direction="in"/>
      <arg type="s" direction="in"/><arg type="s" direction="in"/>
      <arg type="s" direction="in"/><arg type="as" direction="in"/>
      <arg type="a{sv}" direction="in"/><arg type="i" direction="in"/>
      <arg type="u" direction="out"/>
    </method>
    <method name="CloseNotification"><arg type="u" direction="in"/></method>
    <method name="GetCapabilities"><arg type="as" direction="out"/></method>
    <method name="GetServerInformation">
      <arg type="s" direction="out"/><arg type="s" direction="out"/>
      <arg type="s" direction="out"/><arg type="s" direction="out"/>
    </method>
    <signal name="NotificationClosed">
      <arg type="u"/><arg type="u"/>
    </signal>
  </interface>
</node>
"""

log_path, ready_path = sys.argv[1], sys.argv[2]
hang = "--hang" in sys.argv[3:]
next_id = [0]


def on_call(conn, sender, path, iface, method, params, inv):
    if hang:
        return  # never answer: the caller's D-Bus timeout applies
    if method == "Notify":
        app, replaces, icon, summary, body, actions, hints, timeout = \
            params.unpack()
        next_id[0] += 1
        with open(log_path, "a") as f:
            f.write(json.dumps({
                "id": next_id[0], "app": app, "summary": summary,
                "body": body, "urgency": hints.get("urgency"),
                "replaces": replaces}) + "\n")
        inv.return_value(GLib.Variant("(u)", (next_id[0],)))
    elif method == "GetCapabilities":
        inv.return_value(GLib.Variant("(as)", (["body", "body-markup"],)))
    elif method == "GetServerInformation":
        inv.return_value(GLib.Variant("(ssss)",
                                      ("testnotifyd", "mailcon-tests",
                                       "1.0", "1.2")))
    else:
        inv.return_value(None)


def on_bus(conn, name):
    node = Gio.DBusNodeInfo.new_for_xml(XML)
    conn.register_object("/org/freedesktop/Notifications",
                         node.interfaces[0], on_call, None, None)


def on_name(conn, name):
    open(ready_path, "w").close()


def on_lost(conn, name):
    sys.exit(1)


Gio.bus_own_name(Gio.BusType.SESSION, "org.freedesktop.Notifications",
                 Gio.BusNameOwnerFlags.NONE, on_bus, on_name, on_lost)
GLib.MainLoop().run()
