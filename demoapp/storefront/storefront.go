// Package storefront is the demo shop's business logic: a small in-memory
// catalogue, carts and orders behind the shop service's endpoints. Its
// handlers update the shop's business metrics, looked up by name in the
// service's instrument.Instance, so the demo app builds for any spec: a
// metric the spec dropped becomes a no-op (reported at start-up), a payment
// method the spec lists is chosen by shoppers, and an endpoint the
// storefront does not know is served by the demo's generic handler.
// An application that knows its spec imports the typed package instead
// (out/metrics/shop), where a wrong label value does not compile.
package storefront

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"

	"github.com/stackc/stackc/runtime/instrument"
)

// Product is an item of the catalogue.
type Product struct {
	ID    int     `json:"id"`
	Name  string  `json:"name"`
	Price float64 `json:"price"`
}

// Item is a product in a cart or an order.
type Item struct {
	Product  int `json:"product"`
	Quantity int `json:"quantity"`
}

// Order is a placed order.
type Order struct {
	ID      int     `json:"id"`
	Items   []Item  `json:"items"`
	Total   float64 `json:"total"`
	Payment string  `json:"payment"`
}

// Limits that keep the demo's memory bounded however long it runs.
const (
	maxCarts     = 1000
	maxOrders    = 1000
	maxQuantity  = 10
	maxCartLines = 50
	maxBody      = 4 << 10
)

// CartHeader names the cart a request works on; without it, the
// "anonymous" cart.
const CartHeader = "X-Cart-ID"

// PaymentFailureRate is the share of checkouts the simulated payment
// provider declines or times out. It stays a tenth of the committed spec's
// payment-success budget (objective 99%): at the demo's low checkout rate,
// and on a freshly started Prometheus whose long windows hold minutes of
// data, a few unlucky declines in a row would otherwise page by themselves.
const PaymentFailureRate = 0.001

// Shop is the state of the demo shop.
type Shop struct {
	m       shopMetrics
	catalog []Product

	mu        sync.Mutex
	carts     map[string][]Item
	orders    map[int]Order
	nextOrder int
}

// New returns an empty shop that records into in's business metrics, and
// the problems found binding them (a metric or label the storefront uses
// that the spec lacks); the shop works regardless, without those series.
func New(in *instrument.Instance) (*Shop, []error) {
	m, problems := bindMetrics(in)
	s := &Shop{m: m, carts: map[string][]Item{}, orders: map[int]Order{}, nextOrder: 1}
	names := []string{"mug", "t-shirt", "hoodie", "sticker", "poster", "notebook", "pen", "cap", "socks", "tote bag",
		"keyboard", "mouse pad", "water bottle", "lanyard", "pin", "umbrella", "scarf", "backpack", "headphones", "lamp"}
	for i, n := range names {
		s.catalog = append(s.catalog, Product{ID: i + 1, Name: n, Price: float64(3 + (i*37)%120)})
	}
	return s, problems
}

// Handlers returns the shop's handlers by endpoint name (the names of
// stack.jsonnet's shop). The demo app serves the spec's endpoints that are
// not here with its generic handler.
func (s *Shop) Handlers() map[string]http.Handler {
	return map[string]http.Handler{
		"list_products": http.HandlerFunc(s.listProducts),
		"get_product":   http.HandlerFunc(s.getProduct),
		"get_cart":      http.HandlerFunc(s.getCart),
		"add_to_cart":   http.HandlerFunc(s.addToCart),
		"checkout":      http.HandlerFunc(s.checkout),
		"get_order":     http.HandlerFunc(s.getOrder),
	}
}

func (s *Shop) listProducts(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.catalog)
}

func (s *Shop) getProduct(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.Atoi(r.PathValue("id"))
	if err != nil {
		httpError(w, http.StatusBadRequest, "product id must be a number")
		return
	}
	if id < 1 || id > len(s.catalog) {
		httpError(w, http.StatusNotFound, "no such product")
		return
	}
	writeJSON(w, http.StatusOK, s.catalog[id-1])
}

func cartID(r *http.Request) string {
	if id := r.Header.Get(CartHeader); id != "" && len(id) <= 64 {
		return id
	}
	return "anonymous"
}

func (s *Shop) getCart(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	items := append([]Item{}, s.carts[cartID(r)]...)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
}

// decodeOptional decodes a JSON body into v; an empty body leaves v as is,
// so the load generator can send bare requests.
func decodeOptional(w http.ResponseWriter, r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	return nil
}

func (s *Shop) addToCart(w http.ResponseWriter, r *http.Request) {
	item := Item{Product: 1 + rand.IntN(len(s.catalog)), Quantity: 1 + rand.IntN(3)}
	if err := decodeOptional(w, r, &item); err != nil {
		httpError(w, http.StatusBadRequest, "body: "+err.Error())
		return
	}
	if item.Product < 1 || item.Product > len(s.catalog) {
		httpError(w, http.StatusNotFound, "no such product")
		return
	}
	if item.Quantity < 1 || item.Quantity > maxQuantity {
		httpError(w, http.StatusBadRequest, fmt.Sprintf("quantity must be between 1 and %d", maxQuantity))
		return
	}
	id := cartID(r)
	s.mu.Lock()
	cart, open := s.carts[id]
	switch {
	case !open && len(s.carts) >= maxCarts:
		s.mu.Unlock()
		httpError(w, http.StatusConflict, "too many open carts")
		return
	case len(cart) >= maxCartLines:
		s.mu.Unlock()
		httpError(w, http.StatusConflict, "the cart is full")
		return
	}
	s.carts[id] = append(cart, item)
	n := len(s.carts[id])
	if !open {
		s.m.cartsOpen.Inc()
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, map[string]any{"lines": n})
}

// checkoutRequest is the optional body of POST /checkout.
type checkoutRequest struct {
	Payment string `json:"payment"`
}

// pickPayment draws a payment method the way shoppers choose them: the
// spec's first one 60% of the time, the others sharing the rest.
func (s *Shop) pickPayment() string {
	ps := s.m.payments
	if len(ps) == 1 || rand.Float64() < 0.6 {
		return ps[0]
	}
	return ps[1+rand.IntN(len(ps)-1)]
}

func (s *Shop) checkout(w http.ResponseWriter, r *http.Request) {
	var req checkoutRequest
	if err := decodeOptional(w, r, &req); err != nil {
		httpError(w, http.StatusBadRequest, "body: "+err.Error())
		return
	}
	payment := s.pickPayment()
	if req.Payment != "" {
		if _, ok := s.m.orders[req.Payment]; !ok {
			httpError(w, http.StatusBadRequest, fmt.Sprintf("unknown payment method %q", req.Payment))
			return
		}
		payment = req.Payment
	}
	id := cartID(r)
	s.mu.Lock()
	cart := s.carts[id]
	if len(cart) == 0 {
		s.mu.Unlock()
		httpError(w, http.StatusConflict, "the cart is empty")
		return
	}
	if rand.Float64() < PaymentFailureRate {
		s.mu.Unlock()
		// The spec's first reason four times in five, the others share the rest.
		reason := s.m.reasons[0]
		if len(s.m.reasons) > 1 && rand.IntN(5) == 0 {
			reason = s.m.reasons[1+rand.IntN(len(s.m.reasons)-1)]
		}
		s.m.failure(payment, reason).Inc()
		httpError(w, http.StatusPaymentRequired, "payment "+reason)
		return
	}
	order := Order{ID: s.nextOrder, Items: cart, Payment: payment}
	count := 0
	for _, it := range cart {
		order.Total += s.catalog[it.Product-1].Price * float64(it.Quantity)
		count += it.Quantity
	}
	s.nextOrder++
	delete(s.orders, order.ID-maxOrders) // keep the latest maxOrders
	s.orders[order.ID] = order
	delete(s.carts, id)
	s.m.cartsOpen.Dec()
	s.mu.Unlock()

	s.m.orders[payment].Inc()
	s.m.orderValue.Observe(order.Total)
	s.m.cartItems.Observe(float64(count))
	writeJSON(w, http.StatusCreated, order)
}

func (s *Shop) getOrder(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.Atoi(r.PathValue("id"))
	if err != nil {
		httpError(w, http.StatusBadRequest, "order id must be a number")
		return
	}
	s.mu.Lock()
	order, ok := s.orders[id]
	s.mu.Unlock()
	if !ok {
		httpError(w, http.StatusNotFound, "no such order")
		return
	}
	writeJSON(w, http.StatusOK, order)
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func httpError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, map[string]string{"error": msg})
}
