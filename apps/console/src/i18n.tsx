import { createContext, type ReactNode, useContext, useEffect, useMemo, useState } from "react";
import type { EventType } from "./api";

export type Lang = "en" | "fr";

const en = {
  appName: "Lapse console",
  skipToContent: "Skip to content",
  language: "Language",
  signedInAs: (tenant: string) => `Signed in to ${tenant}`,
  signOut: "Sign out",
  nav: {
    label: "Sections",
    consents: "Consents",
    runs: "Nightly runs",
    profiles: "Customer lookup",
    keys: "API keys",
  },
  loading: "Loading…",
  cancel: "Cancel",
  close: "Close",
  save: "Save",
  requestId: (id: string) => `Request id: ${id}`,
  signIn: {
    title: "Sign in to the Lapse console",
    intro:
      "Paste a secret key with the admin scope. It is exchanged for a session that lasts a working day; the key itself is not kept in this browser.",
    keyLabel: "Admin secret key",
    keyHint:
      "Starts with lapse_sk_. Under pnpm dev, the demo tenant's key is printed in the terminal.",
    submit: "Sign in",
    submitting: "Signing in…",
    rejected:
      "This key was not accepted. Use a secret key with the admin scope that is not revoked.",
    ended: "Your session has ended. Sign in again to continue.",
    signedOut: "You are signed out.",
  },
  kind: { opt_in: "Opt-in", legal_basis: "Legal basis" },
  kindLong: {
    opt_in: "Opt-in consent (GDPR art. 6(1)(a))",
    legal_basis: "Legal basis, e.g. legitimate interest (GDPR art. 6(1)(f))",
  },
  events: {
    marketing_operation_joined: "Took part in a marketing operation",
    email_clicked: "Clicked in an email",
    sms_clicked: "Clicked in a text message (SMS)",
    order_placed: "Placed an order",
    loyalty_page_visited: "Visited the loyalty or customer status page",
    consent_accepted: "Accepted another consent",
    account_upserted: "Created or updated their account on the site",
  } satisfies Record<EventType, string>,
  status: { accepted: "Accepted", refused: "Refused", unknown: "Unknown" },
  reason: {
    customer: "by the customer",
    api: "by the brand (API)",
    entry_event: "entry event",
    expired: "lapsed (expiry)",
    import: "import",
  } as Record<string, string>,
  consents: {
    title: "Consents",
    intro:
      "Each consent can lapse automatically under the GDPR: without any of the chosen customer actions, it stops being valid after a number of days.",
    showArchived: "Show archived consents",
    empty: "No consent yet. Create the first one below.",
    colTitle: "Consent",
    colKey: "Key",
    colKind: "Kind",
    colExpiry: "Automatic expiry",
    archived: "Archived",
    expiryNone: "Off (not configured)",
    expiryOff: (days: number) => `Off · ${days} days when on`,
    expiryOn: (days: number, since: string) => `${days} days · active since ${since}`,
    newTitle: "New consent",
    fieldTitle: "Title",
    fieldTitleHint: "What customers see, e.g. “Newsletter”.",
    fieldKey: "Key",
    fieldKeyHint:
      "Used by your systems: lowercase letters, digits, “-” and “_”. It can never be changed or reused.",
    fieldKind: "Kind",
    fieldDescription: "Description",
    fieldDescriptionHint: "Optional. The wording customers agree to.",
    create: "Create consent",
    created: (title: string) => `“${title}” was created. Set its expiry below.`,
  },
  consent: {
    back: "All consents",
    notFound: "There is no consent with this key.",
    archivedNote:
      "This consent is archived: it is out of the catalogue, no longer lapses, and its history is kept.",
    expiryTitle: "Automatic expiry",
    stateNone: "Expiry is not configured: this consent never lapses.",
    stateOff: "Expiry is off: nobody lapses while it is off.",
    stateOn: (since: string, days: number) =>
      `Expiry is active since ${since}: a customer lapses after ${days} days without any of the actions below.`,
    daysLabel: "Lapses after (days without activity)",
    daysHint: "From 1 to 3650 days. Take the time to agree on this duration with your legal team.",
    daysInvalid: "Enter a whole number of days from 1 to 3650.",
    daysLater: "A new number of days applies from the next nightly run; clocks are kept.",
    extendLegend: "Customer actions that extend the consent",
    extendHint: "Each of these actions restarts the customer's clock for this consent.",
    locked:
      "Locked while expiry is active: deactivate or reconfigure to change them (reconfiguring restarts every customer's clock).",
    saveDraft: "Save without activating",
    saveDays: "Save the new number of days",
    activate: "Activate expiry…",
    deactivate: "Deactivate expiry…",
    reconfigure: "Reconfigure…",
    saved: "Saved.",
    activated: (day: string) =>
      `Expiry is active. Every customer's clock restarted today (${day}).`,
    deactivated: "Expiry is off. Nobody will lapse while it is off.",
    reconfigured: (day: string) =>
      `New criteria applied. Every customer's clock restarted today (${day}).`,
    entryTitle: "Entry events",
    entryLegend: "Customer actions that bring a customer back into this legal basis",
    entryHint:
      "A customer with no status (or whose consent lapsed) is accepted again when they do one of these. A refusal always stands.",
    entrySaved: "Entry events saved.",
    textsTitle: "Texts",
    textsHint:
      "A new wording is a new version: the proof trail keeps which wording each customer answered.",
    textsSaved: "Texts saved.",
    archiveTitle: "Archive",
    archiveHint:
      "Takes this consent out of the catalogue. Customers' answers and their proof are kept.",
    archive: "Archive this consent…",
    archivedDone: (title: string) => `“${title}” was archived.`,
  },
  dialogs: {
    activateTitle: (title: string) => `Activate expiry for “${title}”?`,
    activateBody: (days: number, lapse: string) =>
      `Every customer's clock restarts today. A customer who accepted it and does none of the chosen actions lapses on ${lapse}, ${days} days from today, and is turned back to “unknown” by the nightly run.`,
    noExtend: "No action is chosen: only accepting again extends it.",
    extendList: "Actions that extend it:",
    activateConfirm: "Activate expiry",
    deactivateTitle: (title: string) => `Deactivate expiry for “${title}”?`,
    deactivateBody:
      "Nobody will lapse while this is off, however long ago their last activity. Customer activity keeps being recorded.",
    deactivateBody2: "Activating it again later restarts every customer's clock on that day.",
    deactivateConfirm: "Deactivate expiry",
    reconfigureTitle: (title: string) => `Reconfigure expiry for “${title}”?`,
    reconfigureBody: (lapse: string) =>
      `Every customer's clock restarts today: without any of the chosen actions, nobody lapses before ${lapse}.`,
    reconfigureConfirm: "Apply and restart every clock",
    archiveTitle: (title: string) => `Archive “${title}”?`,
    archiveBody:
      "It leaves the catalogue: customers can no longer accept it and it stops lapsing. Its key can never be used again. Customers' answers and their proof are kept.",
    archiveConfirm: "Archive",
    forecastTotal: (total: number) =>
      `${total} ${total === 1 ? "customer lapses" : "customers lapse"} in the next 90 days if they do nothing.`,
  },
  forecast: {
    title: "Forecast",
    current: "Customers lapsing on each of the next 90 days",
    previewActivate: "If you activate with these settings today",
    previewDays: "With the new number of days",
    off: "Expiry is off: nobody lapses. The chart below previews the settings above.",
    total: (total: number) =>
      `${total} ${total === 1 ? "customer lapses" : "customers lapse"} in the next 90 days if they do nothing.`,
    peak: (count: number, day: string) => `Busiest day: ${day} (${count}).`,
    none: "Nobody lapses in the next 90 days.",
    chartLabel: (title: string, total: number) => `${title}: ${total} in total`,
    showTable: "Show the figures as a table",
    colDay: "Day",
    colCount: "Customers lapsing",
    bar: (day: string, count: number) => `${day}: ${count}`,
    today: "today",
    in90: "in 90 days",
  },
  runs: {
    title: "Nightly runs",
    intro:
      "Every night at 02:00 UTC, consents whose clock ran out are turned back to “unknown”. Each run is recorded with its figures.",
    empty: "No run yet.",
    runNow: "Run now…",
    runNowTitle: "Run the expiry now?",
    runNowBody:
      "Every accepted consent whose clock has run out lapses now and is turned back to “unknown”, as the nightly run would do.",
    runNowConfirm: "Run now",
    colStarted: "Started",
    colTrigger: "Trigger",
    colStatus: "Status",
    colConsents: "Consents",
    colExpired: "Lapsed",
    colDuration: "Duration",
    trigger: { cron: "nightly", admin: "manual" } as Record<string, string>,
    runStatus: {
      queued: "queued",
      running: "running",
      succeeded: "succeeded",
      failed: "failed",
    } as Record<string, string>,
    details: "Details",
    back: "All runs",
    detailTitle: (when: string) => `Run of ${when}`,
    scheduledAt: "Run as of",
    mode: "Mode",
    perConsent: "Per consent",
    colConsent: "Consent",
    colChunks: "Chunks",
    colRowsRead: "Rows read",
    colRowsWritten: "Rows written",
    colError: "Error",
    noConsent:
      "Nothing could be due at this run: a consent is examined once its first lapse day has come (activation day + days).",
    ms: (ms: number) => `${ms} ms`,
  },
  profiles: {
    title: "Customer lookup",
    intro:
      "A customer's status for each consent, until when it is valid, and the full proof trail of every change.",
    idLabel: "Customer id",
    idHint: "Your own customer id, as sent to the API.",
    lookUp: "Look up",
    statesTitle: "Consents",
    colConsent: "Consent",
    colStatus: "Status",
    colSince: "Since",
    colLastActivity: "Last activity",
    colValidUntil: "Valid until",
    colLapsedOn: "Lapsed on",
    never: "—",
    noLapse: "does not lapse",
    trailTitle: "Proof trail",
    trailEmpty: "No change recorded for this customer.",
    colWhen: "When",
    colChange: "Change",
    colReason: "How",
    colActor: "By",
    colRecorded: "Recorded",
    colHash: "Hash",
    chainOk: (entries: number) =>
      `Proof chain intact: ${entries} ${entries === 1 ? "entry" : "entries"}, none edited, removed or reordered.`,
    chainBroken: (count: number) =>
      `Proof chain broken: ${count} ${count === 1 ? "problem" : "problems"} found.`,
    checkAgain: "Check the chain again",
    checkedAt: (time: string) => `Checked at ${time}.`,
    download: "Download the proof (JSON)",
    byRun: "nightly expiry run",
  },
  keys: {
    title: "API keys",
    intro:
      "Secret keys stay on your servers; publishable keys may sit in web pages. A key is shown once, when it is created.",
    colName: "Name",
    colKind: "Kind",
    colPrefix: "Starts with",
    colScopes: "Scopes",
    colCreated: "Created",
    colExpires: "Expires",
    colStatus: "Status",
    colActions: "Actions",
    active: "active",
    revoked: (day: string) => `revoked ${day}`,
    expired: "expired",
    thisSession: "this session",
    kindSecret: "Secret",
    kindPublishable: "Publishable",
    revoke: "Revoke…",
    revokeTitle: (name: string) => `Revoke the key “${name}”?`,
    revokeBody: "Everything that uses this key stops working at once. This cannot be undone.",
    revokeOwn: "This is the key you signed in with: revoking it also ends this session.",
    revokeConfirm: "Revoke the key",
    revokedDone: (name: string) => `The key “${name}” was revoked.`,
    newTitle: "New key",
    fieldName: "Name",
    fieldNameHint: "Where it is used, e.g. “Shop back end”.",
    fieldKind: "Kind",
    fieldScopes: "Scopes",
    scope: {
      admin: "admin: consents, expiry, runs, keys",
      profiles: "profiles: read and change customers",
      events: "events: send customer actions",
    } as Record<string, string>,
    fieldExpires: "Expires on (optional)",
    fieldExpiresHint: "For a rotation: the key stops working at the start of this day (UTC).",
    create: "Create key",
    createdTitle: (name: string) => `Key “${name}” created`,
    createdBody: "Copy it now: it will not be shown again.",
    copy: "Copy",
    copied: "Copied to the clipboard.",
    copyFailed: "Could not copy: select the key and copy it yourself.",
    done: "I have copied it",
  },
  errors: {
    UNAUTHORIZED: "Your session has ended. Sign in again.",
    FORBIDDEN: "This key is not allowed to do that.",
    NOT_FOUND: "Not found.",
    CONFLICT: "This conflicts with what already exists.",
    EXPIRY_ACTIVE:
      "The extending actions cannot change while expiry is active: deactivate or reconfigure.",
    EXPIRY_NOT_CONFIGURED: "Set the number of days first.",
    TOO_MANY_REQUESTS: "Too many requests: wait a minute and try again.",
    NETWORK_ERROR: "The API could not be reached. Check your connection and try again.",
    INTERNAL_SERVER_ERROR: "Something went wrong on the server.",
  } as Record<string, string>,
};

export type Dictionary = typeof en;

const fr: Dictionary = {
  appName: "Console Lapse",
  skipToContent: "Aller au contenu",
  language: "Langue",
  signedInAs: (tenant) => `Connecté à ${tenant}`,
  signOut: "Se déconnecter",
  nav: {
    label: "Rubriques",
    consents: "Consentements",
    runs: "Exécutions nocturnes",
    profiles: "Recherche client",
    keys: "Clés d'API",
  },
  loading: "Chargement…",
  cancel: "Annuler",
  close: "Fermer",
  save: "Enregistrer",
  requestId: (id) => `Identifiant de requête : ${id}`,
  signIn: {
    title: "Connexion à la console Lapse",
    intro:
      "Collez une clé secrète ayant le droit admin. Elle est échangée contre une session d'une journée de travail ; la clé elle-même n'est pas conservée dans ce navigateur.",
    keyLabel: "Clé secrète admin",
    keyHint:
      "Commence par lapse_sk_. Avec pnpm dev, la clé du tenant de démonstration est affichée dans le terminal.",
    submit: "Se connecter",
    submitting: "Connexion…",
    rejected:
      "Cette clé n'a pas été acceptée. Utilisez une clé secrète non révoquée ayant le droit admin.",
    ended: "Votre session a pris fin. Reconnectez-vous pour continuer.",
    signedOut: "Vous êtes déconnecté.",
  },
  kind: { opt_in: "Opt-in", legal_basis: "Base légale" },
  kindLong: {
    opt_in: "Consentement opt-in (RGPD art. 6(1)(a))",
    legal_basis: "Base légale, p. ex. intérêt légitime (RGPD art. 6(1)(f))",
  },
  events: {
    marketing_operation_joined: "Participation à une opération marketing",
    email_clicked: "Clic dans un email",
    sms_clicked: "Clic dans un SMS",
    order_placed: "Nouvelle commande passée",
    loyalty_page_visited: "Accès à la cagnotte ou à la page de statut client",
    consent_accepted: "Acceptation d'un autre consentement",
    account_upserted: "Création ou mise à jour d'un compte sur le site",
  },
  status: { accepted: "Accepté", refused: "Refusé", unknown: "Inconnu" },
  reason: {
    customer: "par le client",
    api: "par la marque (API)",
    entry_event: "événement d'entrée",
    expired: "expiré",
    import: "import",
  },
  consents: {
    title: "Consentements",
    intro:
      "Chaque consentement peut expirer automatiquement selon le RGPD : sans aucune des actions client choisies, il n'est plus valable au bout d'un nombre de jours.",
    showArchived: "Afficher les consentements archivés",
    empty: "Aucun consentement pour l'instant. Créez le premier ci-dessous.",
    colTitle: "Consentement",
    colKey: "Clé",
    colKind: "Type",
    colExpiry: "Expiration automatique",
    archived: "Archivé",
    expiryNone: "Désactivée (non configurée)",
    expiryOff: (days) => `Désactivée · ${days} jours une fois activée`,
    expiryOn: (days, since) => `${days} jours · activée depuis le ${since}`,
    newTitle: "Nouveau consentement",
    fieldTitle: "Titre",
    fieldTitleHint: "Ce que voient les clients, p. ex. « Newsletter ».",
    fieldKey: "Clé",
    fieldKeyHint:
      "Utilisée par vos systèmes : minuscules, chiffres, « - » et « _ ». Elle ne peut jamais être modifiée ni réutilisée.",
    fieldKind: "Type",
    fieldDescription: "Description",
    fieldDescriptionHint: "Facultative. Le texte auquel les clients consentent.",
    create: "Créer le consentement",
    created: (title) => `« ${title} » a été créé. Réglez son expiration ci-dessous.`,
  },
  consent: {
    back: "Tous les consentements",
    notFound: "Aucun consentement n'a cette clé.",
    archivedNote:
      "Ce consentement est archivé : il est hors du catalogue, n'expire plus, et son historique est conservé.",
    expiryTitle: "Expiration automatique",
    stateNone: "L'expiration n'est pas configurée : ce consentement n'expire jamais.",
    stateOff: "L'expiration est désactivée : personne n'expire tant qu'elle l'est.",
    stateOn: (since, days) =>
      `L'expiration est activée depuis le ${since} : un client expire après ${days} jours sans aucune des actions ci-dessous.`,
    daysLabel: "Expire après (jours sans activité)",
    daysHint: "De 1 à 3650 jours. Prenez le temps d'aborder cette durée avec vos juristes.",
    daysInvalid: "Saisissez un nombre entier de jours entre 1 et 3650.",
    daysLater:
      "Un nouveau nombre de jours s'applique à partir de la prochaine exécution nocturne ; les compteurs sont conservés.",
    extendLegend: "Actions client qui prolongent le consentement",
    extendHint: "Chacune de ces actions relance le compteur du client pour ce consentement.",
    locked:
      "Verrouillé tant que l'expiration est activée : désactivez ou reconfigurez pour les modifier (reconfigurer relance le compteur de chaque client).",
    saveDraft: "Enregistrer sans activer",
    saveDays: "Enregistrer le nouveau nombre de jours",
    activate: "Activer l'expiration…",
    deactivate: "Désactiver l'expiration…",
    reconfigure: "Reconfigurer…",
    saved: "Enregistré.",
    activated: (day) =>
      `L'expiration est activée. Le compteur de chaque client a redémarré aujourd'hui (${day}).`,
    deactivated: "L'expiration est désactivée. Personne n'expirera tant qu'elle l'est.",
    reconfigured: (day) =>
      `Nouveaux critères appliqués. Le compteur de chaque client a redémarré aujourd'hui (${day}).`,
    entryTitle: "Événements d'entrée",
    entryLegend: "Actions client qui font revenir un client dans cette base légale",
    entryHint:
      "Un client sans statut (ou dont le consentement a expiré) est de nouveau accepté s'il effectue l'une de ces actions. Un refus reste toujours un refus.",
    entrySaved: "Événements d'entrée enregistrés.",
    textsTitle: "Textes",
    textsHint:
      "Un nouveau texte est une nouvelle version : la preuve conserve le texte auquel chaque client a répondu.",
    textsSaved: "Textes enregistrés.",
    archiveTitle: "Archivage",
    archiveHint:
      "Retire ce consentement du catalogue. Les réponses des clients et leur preuve sont conservées.",
    archive: "Archiver ce consentement…",
    archivedDone: (title) => `« ${title} » a été archivé.`,
  },
  dialogs: {
    activateTitle: (title) => `Activer l'expiration de « ${title} » ?`,
    activateBody: (days, lapse) =>
      `Le compteur de chaque client redémarre aujourd'hui. Un client qui l'a accepté et n'effectue aucune des actions choisies expire le ${lapse}, dans ${days} jours, et repasse à « inconnu » lors de l'exécution nocturne.`,
    noExtend: "Aucune action choisie : seule une nouvelle acceptation le prolonge.",
    extendList: "Actions qui le prolongent :",
    activateConfirm: "Activer l'expiration",
    deactivateTitle: (title) => `Désactiver l'expiration de « ${title} » ?`,
    deactivateBody:
      "Personne n'expirera tant qu'elle est désactivée, quelle que soit l'ancienneté de sa dernière activité. L'activité des clients continue d'être enregistrée.",
    deactivateBody2:
      "La réactiver plus tard relancera le compteur de chaque client à la date de ce jour-là.",
    deactivateConfirm: "Désactiver l'expiration",
    reconfigureTitle: (title) => `Reconfigurer l'expiration de « ${title} » ?`,
    reconfigureBody: (lapse) =>
      `Le compteur de chaque client redémarre aujourd'hui : sans aucune des actions choisies, personne n'expire avant le ${lapse}.`,
    reconfigureConfirm: "Appliquer et relancer tous les compteurs",
    archiveTitle: (title) => `Archiver « ${title} » ?`,
    archiveBody:
      "Il quitte le catalogue : les clients ne peuvent plus l'accepter et il n'expire plus. Sa clé ne pourra jamais être réutilisée. Les réponses des clients et leur preuve sont conservées.",
    archiveConfirm: "Archiver",
    forecastTotal: (total) =>
      `${total} ${total <= 1 ? "client expire" : "clients expirent"} dans les 90 prochains jours s'ils ne font rien.`,
  },
  forecast: {
    title: "Prévision",
    current: "Clients qui expirent chacun des 90 prochains jours",
    previewActivate: "Si vous activez ces réglages aujourd'hui",
    previewDays: "Avec le nouveau nombre de jours",
    off: "L'expiration est désactivée : personne n'expire. Le graphique ci-dessous simule les réglages ci-dessus.",
    total: (total) =>
      `${total} ${total <= 1 ? "client expire" : "clients expirent"} dans les 90 prochains jours s'ils ne font rien.`,
    peak: (count, day) => `Jour le plus chargé : ${day} (${count}).`,
    none: "Personne n'expire dans les 90 prochains jours.",
    chartLabel: (title, total) => `${title} : ${total} au total`,
    showTable: "Afficher les chiffres sous forme de tableau",
    colDay: "Jour",
    colCount: "Clients qui expirent",
    bar: (day, count) => `${day} : ${count}`,
    today: "aujourd'hui",
    in90: "dans 90 jours",
  },
  runs: {
    title: "Exécutions nocturnes",
    intro:
      "Chaque nuit à 02:00 UTC, les consentements dont le compteur est écoulé repassent à « inconnu ». Chaque exécution est enregistrée avec ses chiffres.",
    empty: "Aucune exécution pour l'instant.",
    runNow: "Exécuter maintenant…",
    runNowTitle: "Exécuter l'expiration maintenant ?",
    runNowBody:
      "Chaque consentement accepté dont le compteur est écoulé expire maintenant et repasse à « inconnu », comme le ferait l'exécution nocturne.",
    runNowConfirm: "Exécuter maintenant",
    colStarted: "Début",
    colTrigger: "Déclencheur",
    colStatus: "État",
    colConsents: "Consentements",
    colExpired: "Expirés",
    colDuration: "Durée",
    trigger: { cron: "nocturne", admin: "manuel" },
    runStatus: {
      queued: "en attente",
      running: "en cours",
      succeeded: "réussie",
      failed: "échouée",
    },
    details: "Détails",
    back: "Toutes les exécutions",
    detailTitle: (when) => `Exécution du ${when}`,
    scheduledAt: "Date de référence",
    mode: "Mode",
    perConsent: "Par consentement",
    colConsent: "Consentement",
    colChunks: "Lots",
    colRowsRead: "Lignes lues",
    colRowsWritten: "Lignes écrites",
    colError: "Erreur",
    noConsent:
      "Rien ne pouvait expirer lors de cette exécution : un consentement n'est examiné qu'à partir de sa première date d'expiration possible (jour d'activation + nombre de jours).",
    ms: (ms) => `${ms} ms`,
  },
  profiles: {
    title: "Recherche client",
    intro:
      "Le statut d'un client pour chaque consentement, sa date de validité, et la preuve complète de chaque changement.",
    idLabel: "Identifiant client",
    idHint: "Votre propre identifiant client, tel qu'envoyé à l'API.",
    lookUp: "Rechercher",
    statesTitle: "Consentements",
    colConsent: "Consentement",
    colStatus: "Statut",
    colSince: "Depuis",
    colLastActivity: "Dernière activité",
    colValidUntil: "Valable jusqu'au",
    colLapsedOn: "Expiré le",
    never: "—",
    noLapse: "n'expire pas",
    trailTitle: "Preuve (historique)",
    trailEmpty: "Aucun changement enregistré pour ce client.",
    colWhen: "Quand",
    colChange: "Changement",
    colReason: "Comment",
    colActor: "Par",
    colRecorded: "Enregistré",
    colHash: "Empreinte",
    chainOk: (entries) =>
      `Chaîne de preuve intacte : ${entries} ${entries <= 1 ? "entrée" : "entrées"}, aucune modifiée, supprimée ou réordonnée.`,
    chainBroken: (count) =>
      `Chaîne de preuve rompue : ${count} ${count <= 1 ? "problème trouvé" : "problèmes trouvés"}.`,
    checkAgain: "Vérifier à nouveau la chaîne",
    checkedAt: (time) => `Vérifiée à ${time}.`,
    download: "Télécharger la preuve (JSON)",
    byRun: "exécution de l'expiration",
  },
  keys: {
    title: "Clés d'API",
    intro:
      "Les clés secrètes restent sur vos serveurs ; les clés publiables peuvent figurer dans des pages web. Une clé n'est affichée qu'une fois, à sa création.",
    colName: "Nom",
    colKind: "Type",
    colPrefix: "Commence par",
    colScopes: "Droits",
    colCreated: "Créée",
    colExpires: "Expire",
    colStatus: "État",
    colActions: "Actions",
    active: "active",
    revoked: (day) => `révoquée le ${day}`,
    expired: "expirée",
    thisSession: "cette session",
    kindSecret: "Secrète",
    kindPublishable: "Publiable",
    revoke: "Révoquer…",
    revokeTitle: (name) => `Révoquer la clé « ${name} » ?`,
    revokeBody:
      "Tout ce qui utilise cette clé cesse de fonctionner immédiatement. C'est irréversible.",
    revokeOwn:
      "C'est la clé avec laquelle vous êtes connecté : la révoquer met aussi fin à cette session.",
    revokeConfirm: "Révoquer la clé",
    revokedDone: (name) => `La clé « ${name} » a été révoquée.`,
    newTitle: "Nouvelle clé",
    fieldName: "Nom",
    fieldNameHint: "Où elle est utilisée, p. ex. « Back-end boutique ».",
    fieldKind: "Type",
    fieldScopes: "Droits",
    scope: {
      admin: "admin : consentements, expiration, exécutions, clés",
      profiles: "profiles : lire et modifier les clients",
      events: "events : envoyer les actions des clients",
    },
    fieldExpires: "Expire le (facultatif)",
    fieldExpiresHint: "Pour une rotation : la clé cesse de fonctionner au début de ce jour (UTC).",
    create: "Créer la clé",
    createdTitle: (name) => `Clé « ${name} » créée`,
    createdBody: "Copiez-la maintenant : elle ne sera plus jamais affichée.",
    copy: "Copier",
    copied: "Copiée dans le presse-papiers.",
    copyFailed: "Copie impossible : sélectionnez la clé et copiez-la vous-même.",
    done: "Je l'ai copiée",
  },
  errors: {
    UNAUTHORIZED: "Votre session a pris fin. Reconnectez-vous.",
    FORBIDDEN: "Cette clé n'a pas le droit de faire cela.",
    NOT_FOUND: "Introuvable.",
    CONFLICT: "Cela entre en conflit avec ce qui existe déjà.",
    EXPIRY_ACTIVE:
      "Les actions de prolongation ne peuvent pas changer tant que l'expiration est activée : désactivez ou reconfigurez.",
    EXPIRY_NOT_CONFIGURED: "Réglez d'abord le nombre de jours.",
    TOO_MANY_REQUESTS: "Trop de requêtes : patientez une minute et réessayez.",
    NETWORK_ERROR: "L'API est injoignable. Vérifiez votre connexion et réessayez.",
    INTERNAL_SERVER_ERROR: "Une erreur s'est produite sur le serveur.",
  },
};

const DICTIONARIES: Record<Lang, Dictionary> = { en, fr };
/** Only the language choice is remembered; nothing about the session is. */
const LANG_STORAGE = "lapse-console-lang";

export interface I18n {
  lang: Lang;
  t: Dictionary;
  setLang(lang: Lang): void;
  /** A `YYYY-MM-DD` UTC day, as words. */
  day(day: string): string;
  /** An ISO instant, date and time in UTC. */
  instant(iso: string): string;
  number(n: number): string;
}

const I18nContext = createContext<I18n | null>(null);

function initialLang(): Lang {
  const saved = localStorage.getItem(LANG_STORAGE);
  if (saved === "en" || saved === "fr") return saved;
  return navigator.language.toLowerCase().startsWith("fr") ? "fr" : "en";
}

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initialLang);
  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = DICTIONARIES[lang].appName;
  }, [lang]);
  const value = useMemo<I18n>(() => {
    const locale = lang === "fr" ? "fr-FR" : "en-GB";
    const dayFormat = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeZone: "UTC" });
    const instantFormat = new Intl.DateTimeFormat(locale, {
      dateStyle: "medium",
      timeStyle: "short",
      timeZone: "UTC",
    });
    const numberFormat = new Intl.NumberFormat(locale);
    return {
      lang,
      t: DICTIONARIES[lang],
      setLang(next) {
        localStorage.setItem(LANG_STORAGE, next);
        setLangState(next);
      },
      day: (day) => dayFormat.format(new Date(`${day}T00:00:00Z`)),
      instant: (iso) => `${instantFormat.format(new Date(iso))} UTC`,
      number: (n) => numberFormat.format(n),
    };
  }, [lang]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const value = useContext(I18nContext);
  if (!value) throw new Error("useI18n outside I18nProvider");
  return value;
}
