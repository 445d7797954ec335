// stackc.libsonnet: constructors for stack.jsonnet.
//
// Shipped inside the stackc compiler: `import 'stackc.libsonnet'` needs no
// vendoring. Every constructor returns a plain object, so any field can also
// be written (or overridden with `+:`) by hand. The compiler fills in every
// default that is not given here and checks what the library cannot.
local isQuantile(q) =
  std.length(q) > 2 && std.startsWith(q, '0.')
  && std.all([std.member('0123456789', c) for c in std.stringChars(q[2:])]);

// labelList turns { payment: ['card', 'paypal'] } into [{ name, values }].
local labelList(labels) =
  assert std.isObject(labels) : 'labels must be an object of name: [values], e.g. { payment: ["card", "paypal"] }';
  [{ name: k, values: labels[k] } for k in std.objectFields(labels)];

// objectiveList turns { '0.99': 0.001 } into [{ quantile, error }].
local objectiveList(objectives) =
  assert std.isObject(objectives) : 'objectives must be an object of quantile: error, e.g. { "0.5": 0.05, "0.99": 0.001 }';
  [
    assert isQuantile(q) : 'objective key %s must be a quantile written like "0.99"' % [std.toString(q)];
    { quantile: std.parseJson(q), 'error': objectives[q] }
    for q in std.objectFields(objectives)
  ];

local endpointList(endpoint) =
  if std.isString(endpoint) then [endpoint]
  else if std.isArray(endpoint) then endpoint
  else error 'endpoint must be an endpoint name or a list of names, e.g. ["list_products", "get_product"]';

// withOptional adds the fields of opts that are not null, so that the
// compiler's defaults apply to everything the spec leaves out.
local withOptional(obj, opts) = obj + { [k]: opts[k] for k in std.objectFields(opts) if opts[k] != null };

// The compiler checks every value (all problems are reported together, at
// the argument that holds them); the asserts here only guard the arguments
// the library itself takes apart, where Jsonnet would otherwise fail with an
// error inside this file.
{
  // The build profile ("default" or "demo"), from `stackc build --profile`.
  profile:: std.extVar('stackc.profile'),

  // stack is the root object; extend it with services and alerting.
  stack:: {
    services: [],
    alerting: {},
  },

  // service(name, team, port) is one scraped application. Extend it with
  // endpoints, metrics and slos: s.service('shop', 'storefront') { endpoints: [...] }.
  service(name, team, port=null)::
    withOptional({ name: name, team: team, endpoints: [], metrics: [], slos: [] }, { port: port }),

  // endpoint(method, route, name, sim) is one HTTP route, labelled by its
  // name; sim sets the demo app's behaviour: latency (median), latencyP99,
  // errorRate (0..1) and weight (share of generated traffic).
  endpoint(method, route, name, sim=null)::
    withOptional({ method: method, route: route, name: name }, { sim: sim }),

  // counter(name, help, labels, unit) is a business counter; its name ends in _total.
  counter(name, help, labels={}, unit=null)::
    withOptional({ name: name, type: 'counter', help: help, labels: labelList(labels) }, { unit: unit }),

  // gauge(name, help, labels, unit) is a business gauge.
  gauge(name, help, labels={}, unit=null)::
    withOptional({ name: name, type: 'gauge', help: help, labels: labelList(labels) }, { unit: unit }),

  // histogram(name, help, buckets, labels, unit) is a business histogram with explicit buckets.
  histogram(name, help, buckets, labels={}, unit=null)::
    withOptional({ name: name, type: 'histogram', help: help, buckets: buckets, labels: labelList(labels) }, { unit: unit }),

  // summary(name, help, objectives, labels, unit): objectives maps quantiles
  // to their allowed error, { '0.5': 0.05, '0.99': 0.001 }.
  summary(name, help, objectives={ '0.5': 0.05, '0.9': 0.01, '0.99': 0.001 }, labels={}, unit=null)::
    withOptional({
      name: name,
      type: 'summary',
      help: help,
      objectives: objectiveList(objectives),
      labels: labelList(labels),
    }, { unit: unit }),

  // availability(name, endpoint, objective, period): 5xx responses are bad
  // events. endpoint is one endpoint name or a list of them.
  availability(name, endpoint, objective, period=null, minEventRate=null, minBadEvents=null, description=null, disabledTiers=null)::
    withOptional({ name: name, kind: 'availability', endpoints: endpointList(endpoint), objective: objective },
                 { period: period, minEventRate: minEventRate, minBadEvents: minBadEvents, description: description, disabledTiers: disabledTiers }),

  // latency(name, endpoint, threshold, objective, period): responses slower
  // than threshold (a bucket boundary of the duration histogram) are bad events.
  latency(name, endpoint, threshold, objective, period=null, minEventRate=null, minBadEvents=null, description=null, disabledTiers=null)::
    withOptional({ name: name, kind: 'latency', endpoints: endpointList(endpoint), threshold: threshold, objective: objective },
                 { period: period, minEventRate: minEventRate, minBadEvents: minBadEvents, description: description, disabledTiers: disabledTiers }),

  // raw(name, bad, total, objective, period): bad and total are PromQL for
  // the per-second rates of bad and of all events, with the rate window
  // written {{.window}}, e.g. 'sum(rate(shop_payment_failures_total[{{.window}}]))'.
  raw(name, bad, total, objective, period=null, minEventRate=null, minBadEvents=null, description=null, disabledTiers=null)::
    withOptional({ name: name, kind: 'raw', bad: bad, total: total, objective: objective, endpoints: [] },
                 { period: period, minEventRate: minEventRate, minBadEvents: minBadEvents, description: description, disabledTiers: disabledTiers }),

  // Receivers, keyed by name in alerting.receivers. Secrets are file
  // references only (the …File fields); the compiler refuses inline ones.
  webhook(url=null, urlFile=null, sendResolved=true)::
    withOptional({ type: 'webhook', sendResolved: sendResolved }, { url: url, urlFile: urlFile }),
  email(to, from, smarthost, authUsername=null, authPasswordFile=null, sendResolved=true)::
    withOptional({ type: 'email', to: to, from: from, smarthost: smarthost, sendResolved: sendResolved },
                 { authUsername: authUsername, authPasswordFile: authPasswordFile }),
  slack(channel, apiURLFile, sendResolved=true)::
    { type: 'slack', channel: channel, apiURLFile: apiURLFile, sendResolved: sendResolved },
  pagerduty(routingKeyFile, sendResolved=true)::
    { type: 'pagerduty', routingKeyFile: routingKeyFile, sendResolved: sendResolved },

  // route(match, receiver, continue) sends alerts whose labels equal match
  // to receiver; groupWait, groupInterval and repeatInterval override the
  // alerting defaults for this route.
  route(match, receiver, continue=false, groupWait=null, groupInterval=null, repeatInterval=null)::
    withOptional({ match: match, receiver: receiver, continue: continue },
                 { groupWait: groupWait, groupInterval: groupInterval, repeatInterval: repeatInterval }),
}
