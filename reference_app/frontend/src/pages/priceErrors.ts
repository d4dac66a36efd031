/**
 * A refused price update in words a person can act on. The server's `detail` stays visible
 * under the explanation; this adds what it means and what to do next.
 */

import type { Problem } from "../api/problem";
import { ratio } from "../format";

export interface PriceRefusal {
  /** One sentence: what happened. */
  headline: string;
  /** What to do about it. */
  advice: string;
  /** The edit was based on an old version: offer "reload and retry". */
  stale: boolean;
}

function text(value: unknown): string | null {
  return typeof value === "string" || typeof value === "number" ? String(value) : null;
}

export function explainPriceRefusal(problem: Problem): PriceRefusal {
  switch (problem.code) {
    case "version_mismatch": {
      const current = text(problem.current_version);
      return {
        headline: "Someone else changed this product while you were editing it.",
        advice:
          `Your price was not saved. The product is now at version ${current ?? "newer"}: ` +
          "reload it to see what changed, check your price against it, then save again.",
        stale: true,
      };
    }
    case "precondition_required":
      return {
        headline: "The page did not say which version of the product you edited.",
        advice: "Reload the product, then save again.",
        stale: true,
      };
    case "price_outside_bounds": {
      const low = text(problem.min_price);
      const high = text(problem.max_price);
      return {
        headline: "This price is outside the range allowed for the product.",
        advice:
          low && high
            ? `Choose a price between ${low} and ${high}, or ask an admin to change the range.`
            : "Choose a price inside the product's minimum and maximum.",
        stale: false,
      };
    }
    case "price_change_too_large": {
      const limit = text(problem.max_change_ratio);
      const old = text(problem.old_price);
      return {
        headline: "This change is larger than one update may make.",
        advice:
          `One update may move the price by at most ${limit ? ratio(limit) : "the allowed share"}` +
          `${old ? ` of the current ${old}` : ""}. Make a smaller change, in steps if needed.`,
        stale: false,
      };
    }
    case "permission_denied":
      return {
        headline: "Your role cannot change prices.",
        advice: "Ask an admin for the pricing manager role.",
        stale: false,
      };
    case "not_found":
      return {
        headline: "This product no longer exists.",
        advice: "Go back to the product list.",
        stale: false,
      };
    case "validation_failed":
      return {
        headline: "Some values are not valid.",
        advice: "Correct the fields marked below, then save again.",
        stale: false,
      };
    default:
      if (problem.code.startsWith("money_")) {
        return {
          headline: "The price is not a valid amount.",
          advice: "Use a positive number with at most two decimals, e.g. 1999.90.",
          stale: false,
        };
      }
      return {
        headline: "The price could not be saved.",
        advice: "Try again; if it keeps failing, report the request id below.",
        stale: false,
      };
  }
}
