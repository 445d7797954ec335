// Receivers missing what they need: both url and urlFile, no smarthost port,
// a PagerDuty receiver without its key file.
// exit: 1
// errors: 3
// want: receivers_incomplete.jsonnet:15:13: alerting.receivers.hook: ~ exactly one of url or urlFile
// want: receivers_incomplete.jsonnet:16:64: alerting.receivers.mail.smarthost: ~ not host:port
// want: receivers_incomplete.jsonnet:17:26: alerting.receivers.pager.routingKeyFile: ~ needs routingKeyFile
local s = import 'stackc.libsonnet';

s.stack {
  services: [s.service('shop', team='storefront')],
  alerting: {
    defaultReceiver: 'hook',
    receivers: {
      hook: s.webhook('http://127.0.0.1:9095/alerts', urlFile='/etc/alertmanager/secrets/hook-url'),
      mail: s.email('ops@shop.example', 'alerts@shop.example', 'smtp.shop.example'),
      pager: s.pagerduty(''),
    },
    routes: [s.route({ severity: 'page' }, 'pager'), s.route({ severity: 'ticket' }, 'mail')],
  },
}
