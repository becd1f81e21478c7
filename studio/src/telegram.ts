import { backButton, downloadFile, init, invoice, miniApp, retrieveRawInitData, themeParams } from "@telegram-apps/sdk";

/**
 * The page's side of Telegram, through the Mini App SDK: the launch data (sent with every API call),
 * the theme (Telegram's colours as CSS variables), the back button, downloads and invoices. Outside
 * Telegram (a plain browser) there is no launch data, and each feature falls back or says so.
 */
export interface Launch {
  initData: string | undefined;
  dark: boolean;
}

export function startTelegram(): Launch {
  try {
    // Telegram's web clients may send CSS to inject; our CSP allows no inline style, so it is not asked for.
    init({ acceptCustomStyles: false });
  } catch {
    return { initData: undefined, dark: matchMedia("(prefers-color-scheme: dark)").matches };
  }
  const initData = retrieveRawInitData();
  themeParams.mountSync.ifAvailable();
  themeParams.bindCssVars.ifAvailable();
  miniApp.mountSync.ifAvailable();
  miniApp.bindCssVars.ifAvailable();
  backButton.mount.ifAvailable();
  miniApp.ready.ifAvailable();
  return { initData, dark: themeParams.isDark() };
}

/** Shows Telegram's back button while `active`; returns a function that takes it away again. */
export function showTelegramBack(onBack: () => void): () => void {
  if (!backButton.show.isAvailable()) return () => {};
  backButton.show();
  const off = backButton.onClick(onBack);
  return () => {
    off();
    backButton.hide.ifAvailable();
  };
}

/** Telegram 8.0+ saves a file to the device itself; older clients and plain browsers use a download link. */
export const canDownloadInTelegram = () => downloadFile.isAvailable();

export function downloadInTelegram(url: string, fileName: string): Promise<void> {
  return downloadFile(url, fileName);
}

/** Opens a Stars invoice link: Telegram's payment sheet, or the link itself outside Telegram. Resolves to the invoice's status. */
export async function openInvoice(link: string): Promise<string> {
  if (!invoice.open.isAvailable()) {
    window.open(link, "_blank", "noopener");
    return "opened";
  }
  return invoice.open(link, "url");
}
