// Burn-rate alerts are named after the SLO alone: two services with an SLO
// `avail` would both raise AvailBudgetBurn, and cart-2x and cart2x both
// become Cart2xBudgetBurn.
// exit: 1
// errors: 2
// want: slo_name_across_services.jsonnet:20:24: services[billing].slos[1].name: ~ also defined by service "shop" ~ AvailBudgetBurn ~ billing-avail
// want: slo_name_across_services.jsonnet:21:24: services[billing].slos[2].name: ~ "cart2x" ~ Cart2xBudgetBurn ~ "cart-2x" of service "shop"
local s = import 'stackc.libsonnet';

s.stack {
  services: [
    s.service('shop', team='storefront', port=8080) {
      endpoints: [s.endpoint('GET', '/cart', name='get_cart')],
      slos: [s.availability('avail', 'get_cart', 99.9), s.availability('cart-2x', 'get_cart', 99)],
    },
    s.service('billing', team='payments', port=8081) {
      endpoints: [s.endpoint('POST', '/invoices', name='create_invoice')],
      slos: [
        s.availability('invoices', 'create_invoice', 99.9),
        s.availability('avail', 'create_invoice', 99.9),
        s.availability('cart2x', 'create_invoice', 99),
      ],
    },
  ],
  alerting: { receivers: { oncall: s.webhook('http://127.0.0.1:9095/alerts') } },
}
