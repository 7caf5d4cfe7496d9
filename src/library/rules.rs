//! The data behind folio's article heuristics: site furniture, captions, news agencies, months
//! and weekdays. Keeping them as plain tables makes the rules easy to read, test and extend
//! without touching the parser.

/// How a boilerplate pattern is matched against a whole paragraph.
///
/// Both kinds compare case-insensitively with runs of whitespace collapsed; [`Match::Line`]
/// also ignores trailing `:` `.` `…` and spaces on both sides.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Match {
    /// The paragraph is exactly this text.
    Line,
    /// The paragraph starts with this text (followed by a non-letter, or the end).
    Prefix,
}

/// One piece of site furniture that folio recognises.
#[derive(Clone, Copy, Debug)]
pub struct Boilerplate {
    pub text: &'static str,
    pub how: Match,
    /// The paragraph introduces a list of link titles ("Read More:", "Related Articles"): the
    /// short, unpunctuated lines right after it are boilerplate too.
    pub takes_links: bool,
}

const fn line(text: &'static str) -> Boilerplate {
    Boilerplate {
        text,
        how: Match::Line,
        takes_links: false,
    }
}

const fn prefix(text: &'static str) -> Boilerplate {
    Boilerplate {
        text,
        how: Match::Prefix,
        takes_links: false,
    }
}

const fn links(text: &'static str) -> Boilerplate {
    Boilerplate {
        text,
        how: Match::Line,
        takes_links: true,
    }
}

/// Site furniture. Conservative on purpose: every entry is either a whole paragraph that no
/// article sentence would be, or a prefix that only teasers and notices start with.
pub const BOILERPLATE: &[Boilerplate] = &[
    // Comment forms.
    line("Leave a Reply"),
    line("Leave a Reply Cancel reply"),
    line("Leave a Comment"),
    line("Cancel reply"),
    prefix("Your email address will not be published"),
    line("Required fields are marked *"),
    line("Save my name, email, and website in this browser for the next time I comment"),
    line("Post Comment"),
    // Page furniture.
    line("Back to top button"),
    line("Back to top"),
    line("WordPress Ads"),
    line("Source link"),
    line("Advertisement"),
    line("Share this"),
    line("Share this article"),
    line("Like this"),
    line("Print"),
    line("Click to enter the source"),
    prefix("This news has been collected from reliable news agencies"),
    // Lists of other articles: the link titles after them go too.
    links("Read More"),
    links("Read also"),
    links("Also read"),
    links("See also"),
    links("Related Articles"),
    links("Related Posts"),
    links("Related News"),
    links("Related"),
    links("More stories"),
    links("You may also like"),
    links("اقرأ أيضا"),
    links("اقرأ أيضاً"),
    links("إقرأ أيضاً"),
    links("اقرأ المزيد"),
    links("مواضيع ذات صلة"),
    links("أخبار ذات صلة"),
    // Single teasers for another article ("READ: Russia warns Israel…").
    prefix("READ:"),
    prefix("Read more:"),
    prefix("Read also:"),
    prefix("Also read:"),
    prefix("See also:"),
    prefix("اقرأ أيضا:"),
    prefix("اقرأ أيضاً:"),
];

/// At most this many link titles are taken after a "Read More:"-style paragraph.
pub const MAX_LINK_TITLES: usize = 10;
/// A link title is at most this many columns wide.
pub const MAX_LINK_TITLE_WIDTH: usize = 120;

/// Paragraphs that start with one of these are picture captions (kind `Meta`).
pub const CAPTION_PREFIXES: &[&str] = &[
    "Pic:",
    "Photo:",
    "Picture:",
    "Image:",
    "Caption:",
    "File photo",
    "Photo credit",
    "(Photo:",
    "صورة:",
    "الصورة:",
];

/// News agencies and outlets, by the abbreviation or name a text uses for them, and the name
/// folio shows. Used for datelines ("Moscow (IP) -") and desk prefixes ("Iran Press/Europe:").
pub const AGENCIES: &[(&str, &str)] = &[
    ("IP", "Iran Press"),
    ("Iran Press", "Iran Press"),
    ("AFP", "AFP"),
    ("AP", "AP"),
    ("Reuters", "Reuters"),
    ("IRNA", "IRNA"),
    ("ISNA", "ISNA"),
    ("MNA", "Mehr News Agency"),
    ("Mehr", "Mehr News Agency"),
    ("FNA", "Fars News Agency"),
    ("Fars", "Fars News Agency"),
    ("Tasnim", "Tasnim"),
    ("Press TV", "Press TV"),
    ("PressTV", "Press TV"),
    ("AA", "Anadolu"),
    ("Anadolu", "Anadolu"),
    ("TASS", "TASS"),
    ("RIA", "RIA Novosti"),
    ("Sputnik", "Sputnik"),
    ("Xinhua", "Xinhua"),
    ("WAFA", "WAFA"),
    ("SANA", "SANA"),
    ("QNA", "QNA"),
    ("KUNA", "KUNA"),
    ("MENA", "MENA"),
    ("SPA", "SPA"),
    ("WAM", "WAM"),
    ("UPI", "UPI"),
    ("dpa", "dpa"),
    ("EFE", "EFE"),
    ("أ ف ب", "AFP"),
    ("أ.ف.ب", "AFP"),
    ("رويترز", "Reuters"),
    ("إرنا", "IRNA"),
    ("ارنا", "IRNA"),
    ("الأناضول", "Anadolu"),
    ("سانا", "SANA"),
    ("وفا", "WAFA"),
    ("قنا", "QNA"),
    ("كونا", "KUNA"),
    ("واس", "SPA"),
    ("وام", "WAM"),
];

/// The name folio shows for an agency abbreviation or name, if it knows it.
pub fn agency_name(abbr: &str) -> Option<&'static str> {
    AGENCIES
        .iter()
        .find(|(a, _)| *a == abbr)
        .map(|(_, name)| *name)
}

/// First breadcrumb segments that name no one ("Home > News > …").
pub const GENERIC_CRUMBS: &[&str] = &["Home", "Homepage", "Main", "News", "الرئيسية"];

/// English month names and abbreviations; matched only capitalised and next to a day number.
pub const MONTHS_EN: &[&str] = &[
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Sept",
    "Oct",
    "Nov",
    "Dec",
];

/// Arabic month names, one or two words: Egyptian/Gulf (يناير…) and Levantine (كانون الثاني…).
pub const MONTHS_AR: &[&str] = &[
    "يناير",
    "فبراير",
    "مارس",
    "أبريل",
    "ابريل",
    "إبريل",
    "مايو",
    "يونيو",
    "يونيه",
    "يوليو",
    "يوليه",
    "أغسطس",
    "اغسطس",
    "سبتمبر",
    "أكتوبر",
    "اكتوبر",
    "نوفمبر",
    "ديسمبر",
    "كانون الثاني",
    "شباط",
    "آذار",
    "اذار",
    "نيسان",
    "أيار",
    "ايار",
    "حزيران",
    "تموز",
    "آب",
    "اب",
    "أيلول",
    "ايلول",
    "تشرين الأول",
    "تشرين الاول",
    "تشرين الثاني",
    "كانون الأول",
    "كانون الاول",
];

pub const WEEKDAYS_EN: &[&str] = &[
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// Words that may stand before an English weekday in a day phrase ("on Thursday").
pub const WEEKDAY_LEADS_EN: &[&str] = &["on", "last", "this", "next", "On", "Last", "This", "Next"];

pub const WEEKDAYS_AR: &[&str] = &[
    "الاثنين",
    "الإثنين",
    "الثلاثاء",
    "الأربعاء",
    "الاربعاء",
    "الخميس",
    "الجمعة",
    "السبت",
    "الأحد",
    "الاحد",
];

/// An Arabic weekday counts as a day phrase only after one of these ("اليوم الخميس"), because
/// several weekday names are also ordinary words (الجمعة "the congregation", الأحد "the one").
pub const WEEKDAY_LEADS_AR: &[&str] = &["يوم", "اليوم", "مساء", "صباح", "ليلة", "فجر"];

/// Words a shortened title should not end on ("…outside the Palestinian embassy in…").
pub const DANGLING_WORDS: &[&str] = &[
    "a", "an", "the", "of", "in", "on", "at", "to", "for", "from", "by", "with", "and", "or",
    "but", "as", "that", "its", "their", "his", "her", "في", "من", "على", "إلى", "الى", "عن", "مع",
    "و",
];

/// Abbreviations whose full stop does not end a sentence.
pub const ABBREVIATIONS: &[&str] = &[
    "Mr", "Mrs", "Ms", "Dr", "St", "Gen", "Col", "Lt", "Sgt", "Capt", "Prof", "Sen", "Rep", "Gov",
    "Jr", "Sr", "No", "vs", "etc", "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept",
    "Oct", "Nov", "Dec", "U.S", "U.K", "U.N", "e.g", "i.e",
];
