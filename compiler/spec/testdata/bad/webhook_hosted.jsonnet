// Hosted webhooks carry their token in the path or the query: an inline
// URL may only name loopback or a single-label service (inbox, localhost,
// [::1] pass); every other one must come from urlFile.
// exit: 1
// errors: 4
// want: webhook_hosted.jsonnet:17:26: alerting.receivers.discord.url: ~ discord.com beyond this machine ~ secret ~ urlFile
// want: webhook_hosted.jsonnet:18:24: alerting.receivers.teams.url: ~ shop.webhook.office.com ~ urlFile
// want: webhook_hosted.jsonnet:19:24: alerting.receivers.query.url: ~ query string ~ urlFile
// want: webhook_hosted.jsonnet:20:25: alerting.receivers.dotted.url: ~ bridge.internal beyond this machine ~ single-label
local s = import 'stackc.libsonnet';

s.stack {
  services: [s.service('shop', team='storefront')],
  alerting: {
    defaultReceiver: 'inbox',
    receivers: {
      discord: s.webhook('https://discord.com/api/webhooks/1234/abcdefSECRET'),
      teams: s.webhook('https://shop.webhook.office.com/webhookb2/abc@def/IncomingWebhook/123/456'),
      query: s.webhook('http://127.0.0.1:9095/alerts?auth=abc'),
      dotted: s.webhook('http://bridge.internal:8080/hook'),
      inbox: s.webhook('http://inbox:9095/alerts'),
      loopback: s.webhook('http://localhost:9095/tickets'),
      v6: s.webhook('http://[::1]:9095/pages'),
    },
    routes: [
      s.route({ tier: 'page' }, 'discord', continue=true),
      s.route({ tier: 'page' }, 'teams', continue=true),
      s.route({ tier: 'ticket' }, 'query', continue=true),
      s.route({ tier: 'ticket' }, 'dotted', continue=true),
      s.route({ severity: 'page' }, 'v6'),
      s.route({ severity: 'ticket' }, 'loopback'),
    ],
  },
}
