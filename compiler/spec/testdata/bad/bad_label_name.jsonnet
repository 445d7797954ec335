// Label names: a dash, a leading __, and a label stackc sets itself.
// exit: 1
// errors: 3
// want: bad_label_name.jsonnet:14:25: services[shop].metrics[shop_orders_total].labels[pay-method]: ~ not a valid label name
// want: bad_label_name.jsonnet:15:21: services[shop].metrics[shop_orders_total].labels[__region]: ~ not a valid label name ~ __
// want: bad_label_name.jsonnet:16:21: services[shop].metrics[shop_orders_total].labels[endpoint]: ~ reserved
local s = import 'stackc.libsonnet';

s.stack {
  services: [
    s.service('shop', team='storefront') {
      metrics: [
        s.counter('shop_orders_total', 'Orders placed.', labels={
          'pay-method': ['card'],
          __region: ['eu'],
          endpoint: ['checkout'],
        }),
      ],
    },
  ],
  alerting: { receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts') } },
}
