"""Text templates for the demo community: a German energy and mobile provider, "Stromfix".

German first (most of the community), some English. Each entry is (intent, text) with
{slots} filled from the lists below, so 2,000 messages read like a real, varied inbox.
"""

from __future__ import annotations

ARTICLES = [
    ("article-1", "Neue Tarife ab Januar: Was sich für Sie ändert"),
    ("article-2", "Störung im Mobilfunknetz am Wochenende – ein Rückblick"),
    ("article-3", "So sparen Sie 2027 Strom: 12 Tipps aus unserer Community"),
    ("article-4", "Unsere neue App ist da"),
    ("article-5", "Fragen und Antworten zum Glasfaser-Ausbau in Ihrer Stadt"),
    ("article-6", "We are now available in English: meet our international team"),
]

FIRST_NAMES = [
    "Anna",
    "Ben",
    "Clara",
    "David",
    "Elif",
    "Felix",
    "Greta",
    "Hannes",
    "Ines",
    "Jonas",
    "Katrin",
    "Lukas",
    "Mara",
    "Nils",
    "Olga",
    "Paul",
    "Quirin",
    "Rosa",
    "Sven",
    "Tanja",
    "Ulf",
    "Vera",
    "Wiebke",
    "Xaver",
    "Yasemin",
    "Zoe",
    "Mehmet",
    "Sophie",
    "Jan",
    "Lea",
    "Tim",
    "Nina",
    "Emma",
    "Noah",
    "Mia",
    "Luca",
    "Hanna",
    "Tom",
    "Sarah",
    "Kevin",
    "Julia",
    "Max",
    "Laura",
    "Chris",
]
LAST_NAMES = [
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Schulz",
    "Hoffmann",
    "Koch",
    "Richter",
    "Klein",
    "Wolf",
    "Schröder",
    "Neumann",
    "Schwarz",
    "Braun",
    "Zimmermann",
    "Krüger",
    "Hartmann",
    "Lange",
    "Werner",
    "Yilmaz",
    "Kaya",
    "Nowak",
    "Smith",
    "Brown",
    "Kowalski",
    "Rossi",
]
CITIES = [
    "Berlin",
    "Hamburg",
    "München",
    "Köln",
    "Leipzig",
    "Dresden",
    "Bremen",
    "Kassel",
    "Ulm",
    "Bonn",
]
PRODUCTS = [
    "Ökostrom-Tarif",
    "Mobilfunkvertrag",
    "Glasfaseranschluss",
    "Strom Basis",
    "App",
    "Smart-Meter",
]

GERMAN = [
    (
        "question",
        "Hallo, ab wann gilt der neue {product} genau? Ich finde dazu nichts auf der Seite.",
    ),
    (
        "question",
        "Kann man den {product} auch in {city} buchen? Bei mir zeigt die Seite nur Fehler.",
    ),
    ("question", "Wie kann ich meine Bankverbindung ändern? In der App finde ich das nicht."),
    ("question", "Gibt es für Studierende einen Rabatt auf den {product}?"),
    ("question", "Wann kommt denn endlich Glasfaser nach {city}? Seit Monaten heißt es 'bald'."),
    ("question", "Muss ich für den Wechsel zum {product} selbst kündigen oder macht ihr das?"),
    ("question", "Warum ist meine Abschlagszahlung gestiegen, obwohl ich weniger verbrauche?"),
    ("question", "Ist die Preisgarantie beim {product} wirklich 24 Monate gültig?"),
    (
        "complaint",
        "Seit drei Tagen kein Netz in {city}. Ich arbeite im Homeoffice, das ist inakzeptabel!",
    ),
    ("complaint", "Meine Rechnung ist doppelt abgebucht worden. Ich will mein Geld sofort zurück."),
    (
        "complaint",
        "Schon zum dritten Mal rufe ich an und niemand ruft zurück. So verliert man Kunden.",
    ),
    ("complaint", "Der Techniker ist einfach nicht gekommen. Ich habe extra Urlaub genommen!!"),
    (
        "complaint",
        "Wenn das so weitergeht, kündige ich zum Monatsende. Dann schalte ich die Verbraucherzentrale ein.",
    ),
    (
        "complaint",
        "Ihr habt meine Daten an einen Inkassodienst weitergegeben, obwohl alles bezahlt ist. Mein Anwalt ist informiert.",
    ),
    ("complaint", "Die App stürzt bei jedem Login ab. Update hat nichts gebracht."),
    ("complaint", "Preiserhöhung um 30 % und dann noch schlechter Service. Enttäuschend."),
    ("praise", "Super schneller Service, nach 10 Minuten war alles geklärt. Danke an Frau {last}!"),
    ("praise", "Endlich ein Anbieter, der Ökostrom ernst meint. Bin sehr zufrieden."),
    ("praise", "Die neue App ist richtig gut geworden, vor allem die Verbrauchsübersicht 👍"),
    ("praise", "Toller Artikel, die Spartipps haben bei uns 15 % gebracht."),
    ("praise", "Danke für die schnelle Hilfe bei der Störung gestern!"),
    # Praise in words that look negative: the base models read most of these as complaints,
    # so the demo team's corrections show on the Triage page what a workspace learns.
    ("praise", "Nicht schlecht, der Wechsel zum {product} ging ganz ohne Papierkram!"),
    ("praise", "Unglaublich, nach 5 Minuten hatte ich jemanden am Telefon. Grüße aus {city}!"),
    ("praise", "Kein Stress, keine Warteschleife, {product} online abgeschlossen."),
    ("praise", "Krass, die Abschlagsanpassung für den {product} ging in zwei Klicks."),
    ("feedback", "Vorschlag: Zeigt doch in der App auch den Verbrauch pro Woche an."),
    ("feedback", "Es wäre schön, wenn man Zählerstände auch per Foto melden könnte."),
    ("feedback", "Bitte bietet einen Dark Mode in der App an, abends blendet das sehr."),
    ("feedback", "Die Rechnung wäre verständlicher mit einer Grafik zum Vorjahr."),
    ("lead", "Was kostet der {product} für einen 3-Personen-Haushalt in {city}?"),
    ("lead", "Wir sind ein kleines Büro mit 8 Leuten – habt ihr Geschäftskundentarife?"),
    (
        "lead",
        "Ich ziehe im März nach {city} um und würde gern den {product} abschließen. Ist der verfügbar?",
    ),
    ("other", "Schöner Artikel, weiter so."),
    ("other", "Hat jemand Erfahrungen mit dem Smart-Meter gemacht?"),
    (
        "other",
        "@{first} genau das gleiche Problem hatte ich auch, hat sich nach einem Tag erledigt.",
    ),
    ("rude", "Ihr seid doch alle komplett unfähig. Saftladen!"),
    ("rude", "Was für ein Idiot hat sich diese Preiserhöhung ausgedacht?"),
    ("rude", "Halt doch die Klappe, {first}, du hast doch keine Ahnung."),
    (
        "spam",
        "Verdiene 5000€ pro Woche von zuhause!!! Klick hier: http://schnell-reich.example.biz",
    ),
    ("spam", "BITCOIN VERDOPPELN in 24h – nur heute – www.krypto-gewinn.example.ru"),
    (
        "spam",
        "Herzlichen Glückwunsch, Sie haben ein iPhone gewonnen! Jetzt abholen: http://gewinn.example.top",
    ),
]

ENGLISH = [
    ("question", "Hi, is the {product} available for people who just moved to Germany?"),
    (
        "question",
        "Do you have an English version of the contract? I don't understand all the terms.",
    ),
    ("question", "How do I cancel my old contract when switching to you?"),
    (
        "complaint",
        "No signal in {city} since Friday. I've called twice and nobody helps. Really frustrating.",
    ),
    (
        "complaint",
        "You charged me twice this month. I want a refund now or I'll talk to my lawyer.",
    ),
    ("complaint", "The app keeps logging me out, this is so annoying."),
    ("praise", "Great support in English, thanks a lot to your team!"),
    ("praise", "Switching was really easy, love the app."),
    ("praise", "Insanely fast support today, my {product} question was sorted in 5 min."),
    ("feedback", "Suggestion: please add English invoices, it would help a lot of expats."),
    ("lead", "How much is the {product} for a family of four? Can I sign up online?"),
    ("other", "Interesting article, thanks for sharing."),
    ("rude", "Worst company ever, you are all clowns."),
    ("spam", "Make $$$ fast working from home, visit http://cash-now.example.xyz"),
    ("spam", "FREE crypto giveaway!!! Send 0.1 BTC get 1 BTC back http://btc-double.example.io"),
]

REPLIES_DE = {
    "question": [
        "Hallo {first}, danke für deine Frage! {answer} Melde dich gern, wenn noch etwas offen ist. Viele Grüße, {agent}",
        "Hi {first}, gute Frage: {answer} Liebe Grüße aus dem Social-Media-Team, {agent}",
    ],
    "complaint": [
        "Hallo {first}, das tut uns wirklich leid und ist so nicht in Ordnung. Schick uns bitte deine Kundennummer per Direktnachricht, wir kümmern uns sofort darum. {agent}",
        "Hi {first}, danke, dass du uns Bescheid gibst – das klingt ärgerlich. Wir haben das an die Technik weitergegeben und melden uns heute noch. {agent}",
    ],
    "praise": [
        "Wow, danke {first}! Das geben wir gern ans Team weiter 😊 {agent}",
        "Danke dir, {first}! Das freut uns sehr. {agent}",
    ],
    "feedback": [
        "Danke für den Vorschlag, {first}! Wir haben ihn an unser Produktteam weitergeleitet. {agent}"
    ],
    "lead": [
        "Hallo {first}, schön, dass du Interesse hast! Alle Preise findest du auf unserer Tarifseite; gern rechnen wir dir per Direktnachricht ein Angebot aus. {agent}"
    ],
    "other": ["Danke fürs Mitlesen, {first}! {agent}"],
    "rude": [
        "Hallo {first}, wir verstehen deinen Ärger, bitten dich aber um einen respektvollen Ton. Schreib uns gern, worum es geht – wir helfen. {agent}"
    ],
}
REPLIES_EN = {
    "question": [
        "Hi {first}, thanks for asking! {answer_en} Let us know if anything is unclear. {agent}"
    ],
    "complaint": [
        "Hi {first}, we're really sorry about this. Please send us your customer number via DM and we'll sort it out today. {agent}"
    ],
    "praise": ["Thank you so much, {first}! We'll pass this on to the team. {agent}"],
    "feedback": ["Thanks for the idea, {first}! We've forwarded it to our product team. {agent}"],
    "lead": [
        "Hi {first}, great to hear! You can sign up online in five minutes; happy to help via DM. {agent}"
    ],
    "other": ["Thanks, {first}! {agent}"],
    "rude": [
        "Hi {first}, we understand you're upset, but please keep it respectful. Tell us what happened and we'll help. {agent}"
    ],
}
ANSWERS_DE = [
    "Der neue Tarif gilt ab dem 1. Januar, du musst nichts weiter tun.",
    "Das geht in der App unter Profil → Zahlungsdaten.",
    "Ja, mit gültiger Immatrikulationsbescheinigung gibt es 10 % Rabatt.",
    "Die Kündigung beim alten Anbieter übernehmen wir für dich.",
    "Die Preisgarantie gilt volle 24 Monate ab Lieferbeginn.",
]
ANSWERS_EN = [
    "Yes, you only need a German address to sign up.",
    "We take care of cancelling your old contract for you.",
    "An English contract summary is available in the app under Documents.",
]
FEEDBACK_DE = [
    "Ich wollte nur sagen: Eure Hotline war heute sehr freundlich. Danke!",
    "Auf der Tarifseite ist ein Tippfehler im zweiten Absatz.",
    "Ich möchte meine Daten löschen lassen (DSGVO). Wie geht das?",
    "Bitte ruft mich wegen meiner Rechnung zurück, Kundennummer in meinem Profil.",
    "Die Seite lädt auf dem Handy sehr langsam.",
]
WEBHOOK_DE = [
    ("question", "Frage aus dem Kontaktformular: Wie lange dauert der Anbieterwechsel?"),
    ("complaint", "Bestellung {order} ist seit 10 Tagen nicht angekommen. Ich möchte stornieren."),
    ("complaint", "Router aus Bestellung {order} ist defekt angekommen."),
    ("question", "Kann ich Bestellung {order} noch an eine andere Adresse umleiten?"),
    ("praise", "Lieferung {order} kam einen Tag früher als angekündigt, super!"),
    ("lead", "Anfrage Geschäftskunden: 25 Arbeitsplätze, Glasfaser gewünscht, Standort {city}."),
]
