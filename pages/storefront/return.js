// The hand-off page (POST /storefront/return, see pages/storefront/handoff.py): transfers the
// cart with the session's credential and posts what the API returns to the buyer's system.
// This page's policy allows its form to post to one origin, the session's BrowserFormPost's
// (data-return-origin): the transfer ends the session, so nothing is transferred unless the
// cart can go there.
import { credential, gql } from "./api.js";
import { RETURN_URL, TRANSFER } from "./operations.js";

const main = document.getElementById("main");
const status = document.getElementById("handoff-status");
const problem = document.getElementById("handoff-problem");
const back = document.getElementById("handoff-back");
const form = document.getElementById("handoff");

function fail(message, again) {
  status.textContent = "The cart was not handed back.";
  const box = document.createElement("div");
  box.className = "problem";
  box.setAttribute("role", "alert");
  const text = document.createElement("p");
  text.textContent = message;
  box.append(text);
  if (again) {
    const retry = document.createElement("button");
    retry.type = "button";
    retry.textContent = "Try again";
    retry.addEventListener("click", () => { problem.textContent = ""; handBack(); });
    box.append(retry);
  }
  problem.replaceChildren(box);
  back.hidden = false;
}

function originOf(url) {
  try {
    return new URL(url).origin;
  } catch (error) {
    return null;
  }
}

async function handBack() {
  status.textContent = "Handing the cart back to your procurement system…";
  if (!credential.get()) {
    fail("This tab holds no punchout session: start again from your procurement system.", false);
    return;
  }
  try {
    const { data } = await gql(RETURN_URL);
    const allowed = main.dataset.returnOrigin;
    const target = data.punchoutSession.returnUrl;
    // A session without a usable return URL goes on to the transfer, which says why not (and
    // refuses before it ends anything).
    if (target && allowed && originOf(target) !== allowed) {
      fail("This page was opened for another punchout session: go back to the cart.", false);
      return;
    }
    const answer = (await gql(TRANSFER)).data.transferPunchoutCart;
    if (answer.errors.length) {
      fail(answer.errors[0].message, false);
      return;
    }
    const { url, fieldName, fieldValue } = answer.transfer;
    credential.forget(); // the session has ended: its credential opens nothing now
    const field = document.createElement("input");
    field.type = "hidden";
    field.name = fieldName;
    field.value = fieldValue;
    form.replaceChildren(field);
    form.action = url;
    status.textContent = "Cart handed back: opening your procurement system…";
    form.submit();
  } catch (error) {
    if (error.kind === "unauthenticated") {
      fail("This punchout session has ended (its cart was returned, or it expired): start " +
        "again from your procurement system.", false);
      back.hidden = true;
    } else {
      fail(error.message, true);
    }
  }
}

document.addEventListener("securitypolicyviolation", (event) => {
  if (event.effectiveDirective === "form-action") {
    fail(`The browser refused to post the cart to ${event.blockedURI}.`, false);
  }
});
handBack();
