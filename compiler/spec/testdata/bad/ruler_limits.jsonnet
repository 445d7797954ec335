// Ruler limits that are not positive, and two secret files whose names
// differ only in punctuation: both would be filled in from one variable.
// exit: 1
// errors: 3
// want: ruler_limits.jsonnet:16:30: ruler.maxRulesPerGroup: ~ not positive
// want: ruler_limits.jsonnet:16:54: ruler.maxGroupsPerTenant: ~ not positive
// want: ruler_limits.jsonnet:21:34: alerting.receivers.tickets.urlFile: ~ STACKC_SECRET_TICKETS_URL
local s = import 'stackc.libsonnet';

s.stack {
  services: [
    s.service('shop', team='storefront') {
      endpoints: [s.endpoint('POST', '/checkout', name='checkout')],
    },
  ],
  ruler: { maxRulesPerGroup: -1, maxGroupsPerTenant: -70 },
  alerting: {
    defaultReceiver: 'oncall',
    receivers: {
      oncall: s.webhook(urlFile='/run/secrets/tickets-url'),
      tickets: s.webhook(urlFile='/run/secrets/tickets.url'),
    },
    routes: [s.route({ severity: 'ticket' }, 'tickets')],
  },
}
