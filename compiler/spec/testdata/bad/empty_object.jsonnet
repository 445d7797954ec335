// An object with nothing in it: no services, no receivers.
// exit: 1
// want: alerting.receivers: ~ no receivers ~ s.webhook
// want: services: ~ no services ~ s.service
{}
