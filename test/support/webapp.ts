/**
 * Launch data as a Telegram client hands it to a Mini App, signed the way Telegram documents it
 * (written out here again, not imported from src/, so the tests check the app against the spec).
 */
import { createHmac } from "node:crypto";

export interface LaunchUser {
  id: number;
  first_name?: string;
  last_name?: string;
  username?: string;
  language_code?: string;
  is_premium?: boolean;
}

/** The fields of Telegram's published example (a query id, the user, the chat, a signature), for `user`. */
export function exampleFields(user: LaunchUser, authDate = Math.floor(Date.now() / 1000)): Record<string, string> {
  return {
    query_id: "AAHdF6IQAAAAAN0XohDhrOrc",
    user: JSON.stringify({ first_name: "Vladislav", last_name: "Kibenko", username: "vdkfrost", language_code: "ru", is_premium: true, allows_write_to_pm: true, ...user }),
    chat_instance: "-3788475317572404878",
    chat_type: "private",
    auth_date: String(authDate),
    // Telegram's Ed25519 signature for third parties; for the bot it is just another signed field.
    signature: "6fbdaab833d39f54518bd5c3eb3f511d035e68cb-ZOlRzRTcxgqfAUuB9e8JZpc-uaNv0iwnH7dyMsIsQKmakKmDq1AwIg7hAw",
  };
}

/** The raw initData string: the fields URL-encoded, with `hash` computed with `botToken`. */
export function signLaunchData(fields: Record<string, string>, botToken: string): string {
  const checkString = Object.keys(fields)
    .sort()
    .map((key) => `${key}=${fields[key]}`)
    .join("\n");
  const secretKey = createHmac("sha256", "WebAppData").update(botToken).digest();
  const hash = createHmac("sha256", secretKey).update(checkString).digest("hex");
  return new URLSearchParams({ ...fields, hash }).toString();
}

/** Launch data for `user`, signed with `botToken`, dated `authDate` (unix seconds; now by default). */
export const launchDataFor = (user: LaunchUser, botToken: string, authDate?: number) => signLaunchData(exampleFields(user, authDate), botToken);

export const LIGHT_THEME = {
  bg_color: "#ffffff",
  text_color: "#000000",
  hint_color: "#999999",
  link_color: "#2481cc",
  button_color: "#2481cc",
  button_text_color: "#ffffff",
  secondary_bg_color: "#efeff3",
  section_bg_color: "#ffffff",
  accent_text_color: "#2481cc",
  destructive_text_color: "#e53935",
} as const;
export const DARK_THEME = {
  bg_color: "#212d3b",
  text_color: "#ffffff",
  hint_color: "#7d7d7d",
  link_color: "#5eabe1",
  button_color: "#5289c1",
  button_text_color: "#ffffff",
  secondary_bg_color: "#151e27",
  section_bg_color: "#17212b",
  accent_text_color: "#64b5ef",
  destructive_text_color: "#ee686f",
} as const;

/**
 * The URL a Telegram client opens: the page, with the launch parameters in the fragment
 * (tgWebAppData, tgWebAppVersion, tgWebAppPlatform, tgWebAppThemeParams), as clients pass them.
 */
export function launchUrl(pageUrl: string, initData: string, opts: { theme?: Record<string, string>; version?: string; platform?: string } = {}) {
  const fragment = new URLSearchParams({
    tgWebAppData: initData,
    tgWebAppVersion: opts.version ?? "8.0",
    tgWebAppPlatform: opts.platform ?? "android",
    tgWebAppThemeParams: JSON.stringify(opts.theme ?? LIGHT_THEME),
  });
  return `${pageUrl}#${fragment.toString()}`;
}
