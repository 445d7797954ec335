// Secrets only as file references: an inline password field, a Slack URL
// where its file belongs, and a webhook URL with credentials in it. The
// password field also leaves the email receiver without its password file.
// exit: 1
// errors: 4
// want: inline_secret.jsonnet:17:13: alerting.receivers.mail.authPasswordFile: ~ needs authPasswordFile
// want: inline_secret.jsonnet:18:23: alerting.receivers.mail.authPassword: ~ inline secret ~ authPasswordFile
// want: inline_secret.jsonnet:20:32: alerting.receivers.chat.apiURLFile: ~ looks like the secret itself ~ file
// want: inline_secret.jsonnet:21:23: alerting.receivers.hook.url: ~ embeds a secret ~ urlFile
local s = import 'stackc.libsonnet';

s.stack {
  services: [s.service('shop', team='storefront')],
  alerting: {
    defaultReceiver: 'hook',
    receivers: {
      mail: s.email('ops@shop.example', 'alerts@shop.example', 'smtp.shop.example:587', authUsername='alerts') {
        authPassword: 'hunter2',
      },
      chat: s.slack('#alerts', 'https://hooks.slack.com/services/T000/B000/XXXX'),
      hook: s.webhook('https://alerts:hunter2@bridge.shop.example/hook'),
    },
    routes: [s.route({ severity: 'page' }, 'chat'), s.route({ severity: 'ticket' }, 'mail')],
  },
}
