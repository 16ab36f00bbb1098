// The payment page: opens Toss Payments' checkout (SDK v2, "standard" payment window) for the page's order.
// What to pay comes from the page (json_script "toss-checkout"); after paying, Toss sends the browser to
// successUrl with paymentKey, orderId and amount, where the server checks and confirms the payment.
(function () {
  "use strict";

  function start() {
    var source = document.getElementById("toss-checkout");
    if (!source) {
      return;
    }
    var config = JSON.parse(source.textContent);
    var status = document.querySelector("[data-checkout-status]");
    var buttons = Array.prototype.slice.call(document.querySelectorAll("[data-checkout-method]"));
    var used = false;

    function say(text) {
      if (status) {
        status.textContent = text || "";
      }
    }

    function setBusy(busy) {
      buttons.forEach(function (button) {
        button.disabled = busy;
        button.setAttribute("aria-busy", busy && button.dataset.pressed === "1" ? "true" : "false");
      });
    }

    if (typeof window.TossPayments !== "function") {
      say(config.messages.unavailable);
      return;
    }
    var payment;
    try {
      payment = window.TossPayments(config.clientKey).payment({ customerKey: config.customerKey });
    } catch (error) {
      say(config.messages.unavailable);
      return;
    }

    function request(method) {
      var details = {
        method: method,
        amount: { currency: "KRW", value: config.amount },
        orderId: config.orderId,
        orderName: config.orderName,
        successUrl: config.successUrl,
        failUrl: config.failUrl,
        customerEmail: config.customerEmail,
        customerName: config.customerName,
      };
      if (method === "CARD") {
        details.card = { useEscrow: false, flowMode: "DEFAULT", useCardPoint: false, useAppCardOnly: false };
      } else if (method === "VIRTUAL_ACCOUNT") {
        details.virtualAccount = { useEscrow: false, validHours: config.depositHours };
      }
      return details;
    }

    buttons.forEach(function (button) {
      button.disabled = false;
      button.addEventListener("click", function () {
        if (used) {
          // An order is offered to the checkout once: another try starts a new order.
          window.location.reload();
          return;
        }
        used = true;
        button.dataset.pressed = "1";
        setBusy(true);
        say(config.messages.opening);
        Promise.resolve()
          .then(function () {
            return payment.requestPayment(request(button.dataset.checkoutMethod));
          })
          .catch(function (error) {
            button.dataset.pressed = "";
            setBusy(false);
            say((error && error.message ? error.message + " " : "") + config.messages.again);
          });
      });
    });
    say(config.messages.ready);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
