"""The demo's words: its authors, categories and tags, and the phrases its articles and comments
are made of (demo/writer.py puts them together). Change them and the demo content changes: the
same --seed gives the same articles only for the same words."""

# slug: (name, bio, website, writes articles)
AUTHORS = {
    "maya-okafor": (
        "Maya Okafor",
        "Maya has reviewed phones, laptops and everything with a battery for over a decade.",
        "https://example.com/maya",
        True,
    ),
    "lukas-brandt": (
        "Lukas Brandt",
        "Lukas covers security, privacy and the people who break things so the rest of us do not have to.",
        "https://example.org/lukas",
        True,
    ),
    "priya-raman": (
        "Priya Raman",
        "Priya writes about machine learning and what it changes for the people who use it.",
        "https://example.com/priya",
        True,
    ),
    "tomas-vidal": (
        "Tomás Vidal",
        "Tomás is a former developer who now explains software, open source and the web.",
        "",
        True,
    ),
    "hannah-kowalski": (
        "Hannah Kowalski",
        "Hannah trained as a physicist and covers space, energy and the science behind new technology.",
        "https://example.org/hannah",
        True,
    ),
    # A guest contributor with nothing attached: no login, avatar, website or articles.
    "sam-ellery": ("Sam Ellery", "", "", False),
}
WRITING_AUTHORS = [slug for slug, (*_, writes) in AUTHORS.items() if writes]

# slug: (name, description, lead author slug, topics, tags)
CATEGORIES = {
    "gadgets": (
        "Gadgets",
        "Phones, laptops, wearables and the rest of the hardware in our pockets and on our desks.",
        "maya-okafor",
        ["foldable phone", "smartwatch", "e-reader", "mechanical keyboard", "mini PC", "robot vacuum", "tablet"],
        ["smartphones", "laptops", "wearables", "smart home", "cameras", "batteries"],
    ),
    "ai": (
        "AI",
        "Machine learning in practice: the models, the tools built on them and what they get wrong.",
        "priya-raman",
        ["language model", "image generator", "on-device assistant", "coding assistant", "speech recognizer"],
        ["machine learning", "chatbots", "robotics", "ethics", "privacy"],
    ),
    "security": (
        "Security",
        "Vulnerabilities, breaches and the practical steps that keep accounts and devices safe.",
        "lukas-brandt",
        ["password manager", "passkey rollout", "ransomware gang", "browser sandbox", "home router", "VPN"],
        ["privacy", "passwords", "malware", "encryption", "how-to"],
    ),
    "software": (
        "Software",
        "Operating systems, apps, open source and the craft of building software.",
        "tomas-vidal",
        ["Linux distribution", "web browser", "text editor", "database engine", "Python release", "build tool"],
        ["open source", "Linux", "Python", "web", "databases", "developer tools"],
    ),
    "science": (
        "Science",
        "Space, energy, climate and the research that turns into tomorrow's technology.",
        "hannah-kowalski",
        ["fusion experiment", "exoplanet survey", "quantum computer", "solid-state battery", "gene therapy"],
        ["space", "climate", "energy", "biology", "physics", "batteries"],
    ),
    "reviews": (
        "Reviews",
        "Long-term, hands-on reviews: what we liked, what we did not, and who should buy it.",
        "maya-okafor",
        ["noise-cancelling headphones", "budget laptop", "gaming handheld", "action camera", "smart speaker"],
        ["buying guide", "gaming", "cameras", "laptops", "smartphones", "opinion"],
    ),
}

GENERAL_TAGS = ["opinion", "how-to", "buying guide", "interview", "explainer", "news analysis", "long read"]
TAG_NAMES = sorted({tag for *_, tags in CATEGORIES.values() for tag in tags} | set(GENERAL_TAGS), key=str.lower)

COMPANIES = ["Northwind", "Contoso", "Globex", "Initech", "Vandelay Labs", "Hooli", "Stark Micro", "Acme"]
# Each fits "the results are _", "a _ year" and "review: _, but worth it".
ADJECTIVES = ["promising", "impressive", "mixed", "surprising", "encouraging", "uneven", "remarkable", "modest"]
PEOPLE = ["developers", "researchers", "regulators", "early adopters", "IT teams", "reviewers", "students"]

TITLE_TEMPLATES = [
    "Hands-on with the new {thing} from {company}",
    "Why the {thing} matters more than you think",
    "{number} things we learned testing the {thing}",
    "What {company}'s {thing} means for everyone else",
    "The quiet rise of the {thing}",
    "Is the {thing} finally ready for the mainstream?",
    "Inside the lab building the next {thing}",
    "Everything you need to know about the {thing}",
    "The {thing}: a practical guide for {people}",
    "How {company} plans to reinvent the {thing}",
    "{company} bets big on the {thing}",
    "{a_adjective} year for the {thing}",
]
REVIEW_TITLE_TEMPLATES = [
    "{company} {thing} review: {adjective}, but worth it",
    "Review: the {company} {thing} after three months",
    "{company} {thing} review: the one to beat",
]
STANDFIRST_TEMPLATES = [
    "{company} says its {thing} changes the rules. We spent {number} weeks finding out whether that is true.",
    "The {thing} has been promised for years. This time the results are {adjective}, and {people} are paying "
    "attention.",
    "A closer look at the {thing}, what it does well, where it falls short, and who it is really for.",
    "{people_cap} have strong opinions about the {thing}. Here is what the evidence says.",
]
SENTENCES = [
    "{company} first showed the {thing} {number} months ago, and the reaction was {adjective}.",
    "For most {people}, the question is not whether the {thing} works but whether it is worth the trouble.",
    "The numbers tell part of the story: {number} percent of the people we asked had already tried one.",
    "That sounds good on paper, and in practice it mostly is.",
    "There are trade-offs, of course, and they are easy to miss in a short demo.",
    "We tested it for {number} days in ordinary conditions rather than in a showroom.",
    "Battery life, price and support matter more here than any headline feature.",
    "Competitors such as {company} have tried something similar, with mixed results.",
    "The software is where the {thing} either earns its keep or falls apart.",
    "Several {people} told us the change was overdue.",
    "None of this is entirely new, but the details have improved a great deal.",
    "It is still early, and the first version of anything is rarely the best one.",
    "The price will come down; the harder question is whether the habits will change.",
    "What stands out is how little setup it needs compared with last year's models.",
    "Critics point out that the claims are hard to verify independently.",
    "In our tests the results were consistent, if not always spectacular.",
    "Privacy is the part {people} ask about first, and the answers are only partly reassuring.",
    "The documentation is thin, which will frustrate anyone who likes to tinker.",
    "For a first attempt, it is {a_adjective} piece of work.",
    "If you already own something similar, there is no rush to upgrade.",
]
HEADINGS = [
    "What is new",
    "How it works",
    "The good parts",
    "Where it falls short",
    "What the experts say",
    "Who it is for",
    "The competition",
    "Price and availability",
    "Our verdict",
    "What happens next",
    "A closer look at the numbers",
    "Living with it",
]
LIST_ITEMS = [
    "Setup takes less than {number} minutes",
    "Works with the tools most {people} already use",
    "Updates are promised for {number} years",
    "The default settings are sensible",
    "Support from {company} is slow to answer",
    "The price is higher than the competition's",
    "Accessories cost extra",
    "It is noticeably faster than last year's version",
]
QUOTES = [
    "We built the {thing} for people who never want to think about it.",
    "The hard part was never the technology. It was getting {people} to trust it.",
    "In five years nobody will remember that this was controversial.",
    "We made mistakes with the first version, and we have tried to learn from them.",
]
LINKS = [
    ("https://example.com/reports/{slug}", "the full report"),
    ("https://example.org/research/{number}", "published research"),
    ("https://www.example.com/press/{slug}", "{company}'s announcement"),
    ("https://example.org/guides/{slug}", "our earlier guide"),
    ("https://example.com/specs/{number}", "the full specifications"),
]

ABOUT_BODY = (
    "<p>Byline publishes tech news, hands-on reviews and guest posts from people who build and study technology.</p>"
    "<h2>Who we are</h2>"
    "<p>A small team of editors and writers, joined by guest contributors whose proposals we review and edit "
    "before they appear.</p>"
    "<h2>How we work</h2>"
    "<p>We test products ourselves, say so when a company lent us a device, and correct mistakes openly. "
    'Read our <a href="https://example.com/ethics">editorial guidelines</a> for the details.</p>'
)


COMMENTERS = ["Priya N.", "Tom Becker", "Lucía", "Jon", "Mei Chen", "Sam O'Neill", "Aisha K."]
COMMENT_TEXTS = [
    "Thanks, this is the clearest explanation I have read so far.",
    "I tried this last week and can confirm the battery figures.",
    "Would love a follow-up on how this compares with last year's model.",
    "Small correction: the update shipped in version 2.1, not 2.0.",
    "Great read. The section on privacy settings was especially useful.",
    "Has anyone tested this on older hardware? Curious about performance.",
]
