/**
 * A small gazetteer: the time zone a stated profile location implies ("Tehran, Iran", "Texas, USA",
 * "Москва", "الرياض"). It maps place names (countries with one zone, large cities, US states and
 * Canadian, Australian and Brazilian regions, in English and in the local script) to IANA zones, and
 * a zone to its UTC offset at a given instant with the platform's own ICU data (`Intl`), so daylight
 * saving time is that of the data's dates.
 *
 * Deliberately conservative: a country spanning several zones (United States, Russia, Canada,
 * Brazil, Australia, Mexico, Indonesia, Kazakhstan) resolves only through a city or region, never by
 * itself, and jokes ("Earth", "somewhere", an emoji) resolve to nothing. Profile locations are free
 * text that anyone can fake: the point of resolving them is to compare what accounts claim with when
 * they are active, as takedown reports do (e.g. accounts claiming US cities posting on Tehran hours).
 */

/** Place name (normalised, see `normalizePlace`) -> IANA zone. */
const PLACES: Record<string, string> = {};

function add(zone: string, names: string): void {
  for (const n of names.split('|')) PLACES[normalizePlace(n)] = zone;
}

// Countries with a single zone (or one zone for nearly all the population).
add(
  'Asia/Tehran',
  'iran|ایران|tehran|تهران|shiraz|شیراز|isfahan|esfahan|اصفهان|mashhad|مشهد|tabriz|تبریز|karaj|کرج|qom|قم|ahvaz|اهواز',
);
add(
  'Asia/Dubai',
  'uae|united arab emirates|الإمارات|الامارات|emirates|dubai|دبي|abu dhabi|أبوظبي|ابوظبي|sharjah|الشارقة',
);
add(
  'Asia/Riyadh',
  'saudi arabia|ksa|السعودية|المملكة العربية السعودية|riyadh|الرياض|jeddah|جدة|جده|mecca|makkah|مكة|medina|المدينة|dammam|الدمام',
);
add('Asia/Qatar', 'qatar|قطر|doha|الدوحة');
add('Asia/Kuwait', 'kuwait|الكويت');
add('Asia/Bahrain', 'bahrain|البحرين|manama|المنامة');
add('Asia/Muscat', 'oman|عمان|muscat|مسقط');
add('Asia/Aden', 'yemen|اليمن|sanaa|صنعاء|aden|عدن');
add('Asia/Baghdad', 'iraq|العراق|baghdad|بغداد|basra|البصرة|erbil|أربيل');
add('Asia/Damascus', 'syria|سوريا|سورية|damascus|دمشق|aleppo|حلب');
add('Asia/Beirut', 'lebanon|لبنان|beirut|بيروت');
add('Asia/Amman', 'jordan|الأردن|الاردن|amman');
add('Asia/Jerusalem', 'israel|jerusalem|tel aviv|القدس');
add('Asia/Gaza', 'palestine|فلسطين|gaza|غزة|ramallah|رام الله');
add('Africa/Cairo', 'egypt|مصر|cairo|القاهرة|alexandria|الإسكندرية|الاسكندرية|giza|الجيزة');
add('Africa/Tripoli', 'libya|ليبيا|tripoli|طرابلس');
add('Africa/Tunis', 'tunisia|تونس|tunis');
add('Africa/Algiers', 'algeria|الجزائر|algiers');
add('Africa/Casablanca', 'morocco|المغرب|casablanca|الدار البيضاء|rabat|الرباط|marrakech|مراكش');
add('Africa/Khartoum', 'sudan|السودان|khartoum|الخرطوم');
add('Africa/Lagos', 'nigeria|lagos|abuja');
add(
  'Africa/Nairobi',
  'kenya|nairobi|ethiopia|addis ababa|tanzania|dar es salaam|uganda|kampala|somalia|mogadishu',
);
add('Africa/Johannesburg', 'south africa|johannesburg|cape town|durban|pretoria');
add('Africa/Accra', 'ghana|accra');
add('Europe/Istanbul', 'turkey|türkiye|turkiye|istanbul|ankara|izmir|تركيا|إسطنبول');
add(
  'Europe/Moscow',
  'moscow|москва|мск|saint petersburg|st petersburg|st. petersburg|санкт-петербург|санкт петербург|спб|петербург|kazan|казань|nizhny novgorod|нижний новгород|rostov-on-don|ростов-на-дону|voronezh|воронеж|krasnodar|краснодар|sochi|сочи|crimea|крым|sevastopol|севастополь|belarus|беларусь|minsk|минск',
);
add('Europe/Samara', 'samara|самара|izhevsk|ижевск');
add(
  'Asia/Yekaterinburg',
  'yekaterinburg|ekaterinburg|екатеринбург|chelyabinsk|челябинск|ufa|уфа|perm|пермь|tyumen|тюмень',
);
add('Asia/Omsk', 'omsk|омск');
add('Asia/Novosibirsk', 'novosibirsk|новосибирск');
add('Asia/Krasnoyarsk', 'krasnoyarsk|красноярск');
add('Asia/Irkutsk', 'irkutsk|иркутск');
add('Asia/Vladivostok', 'vladivostok|владивосток|khabarovsk|хабаровск');
add(
  'Europe/Kyiv',
  'ukraine|україна|украина|kyiv|kiev|київ|киев|kharkiv|харків|харьков|odesa|odessa|одеса|одесса|lviv|львів|dnipro',
);
add(
  'Europe/London',
  'uk|u.k.|united kingdom|great britain|britain|england|scotland|wales|northern ireland|london|manchester|birmingham|leeds|liverpool|glasgow|edinburgh|bristol|cardiff|belfast|sheffield|newcastle|nottingham',
);
add('Europe/Dublin', 'ireland|dublin|cork');
add('Europe/Lisbon', 'portugal|lisbon|lisboa|porto');
add('Europe/Madrid', 'spain|españa|espana|madrid|barcelona|valencia|sevilla|seville|bilbao|málaga|malaga');
add('Europe/Paris', 'france|paris|marseille|lyon|toulouse|nice|bordeaux');
add('Europe/Brussels', 'belgium|brussels|bruxelles|antwerp');
add('Europe/Amsterdam', 'netherlands|holland|amsterdam|rotterdam|the hague|utrecht');
add('Europe/Berlin', 'germany|deutschland|berlin|munich|münchen|hamburg|frankfurt|cologne|köln');
add('Europe/Zurich', 'switzerland|zurich|zürich|geneva|genève|bern');
add('Europe/Vienna', 'austria|vienna|wien');
add('Europe/Rome', 'italy|italia|rome|roma|milan|milano|naples|napoli|turin|torino');
add('Europe/Stockholm', 'sweden|stockholm|gothenburg');
add('Europe/Oslo', 'norway|oslo');
add('Europe/Copenhagen', 'denmark|copenhagen');
add('Europe/Helsinki', 'finland|helsinki');
add('Europe/Warsaw', 'poland|polska|warsaw|warszawa|krakow|kraków');
add('Europe/Prague', 'czech republic|czechia|prague|praha');
add('Europe/Budapest', 'hungary|budapest');
add('Europe/Bucharest', 'romania|bucharest');
add('Europe/Sofia', 'bulgaria|sofia');
add('Europe/Athens', 'greece|athens|αθήνα|thessaloniki');
add('Europe/Belgrade', 'serbia|belgrade|beograd');
add('Asia/Tbilisi', 'georgia (country)|tbilisi|თბილისი');
add('Asia/Yerevan', 'armenia|yerevan|երևան');
add('Asia/Baku', 'azerbaijan|baku|bakı');
add('Asia/Tashkent', 'uzbekistan|tashkent');
add('Asia/Kabul', 'afghanistan|افغانستان|kabul|کابل');
add(
  'Asia/Karachi',
  'pakistan|پاکستان|karachi|کراچی|lahore|لاہور|islamabad|اسلام آباد|rawalpindi|peshawar|faisalabad',
);
add(
  'Asia/Kolkata',
  'india|भारत|new delhi|delhi|mumbai|bombay|bangalore|bengaluru|chennai|kolkata|calcutta|hyderabad|pune|ahmedabad|jaipur|lucknow',
);
add('Asia/Colombo', 'sri lanka|colombo');
add('Asia/Kathmandu', 'nepal|kathmandu');
add('Asia/Dhaka', 'bangladesh|dhaka');
add('Asia/Yangon', 'myanmar|burma|yangon');
add('Asia/Bangkok', 'thailand|bangkok|vietnam|hanoi|cambodia|phnom penh');
add('Asia/Ho_Chi_Minh', 'ho chi minh city|saigon');
add('Asia/Jakarta', 'jakarta|bandung|surabaya');
add('Asia/Kuala_Lumpur', 'malaysia|kuala lumpur');
add('Asia/Singapore', 'singapore');
add('Asia/Manila', 'philippines|manila|quezon city|cebu');
add(
  'Asia/Shanghai',
  'china|中国|beijing|北京|shanghai|上海|guangzhou|广州|shenzhen|深圳|chengdu|wuhan|hangzhou',
);
add('Asia/Hong_Kong', 'hong kong|香港');
add('Asia/Taipei', 'taiwan|台灣|台湾|taipei|台北');
add('Asia/Seoul', 'south korea|korea|seoul|서울|busan');
add('Asia/Pyongyang', 'north korea|pyongyang');
add('Asia/Tokyo', 'japan|日本|tokyo|東京|osaka|大阪|kyoto|yokohama');
add('Pacific/Auckland', 'new zealand|auckland|wellington|christchurch');
// Regions of countries with several zones.
add('Australia/Sydney', 'sydney|new south wales|nsw|canberra');
add('Australia/Melbourne', 'melbourne|victoria, australia');
add('Australia/Brisbane', 'brisbane|queensland|gold coast');
add('Australia/Adelaide', 'adelaide|south australia');
add('Australia/Perth', 'perth|western australia');
add('America/Toronto', 'toronto|ontario|ottawa|montreal|montréal|quebec|québec');
add('America/Vancouver', 'vancouver|british columbia');
add('America/Edmonton', 'calgary|edmonton|alberta');
add('America/Winnipeg', 'winnipeg|manitoba');
add('America/Halifax', 'halifax|nova scotia');
add('America/Mexico_City', 'mexico city|ciudad de méxico|ciudad de mexico|cdmx|guadalajara|monterrey|puebla');
add('America/Tijuana', 'tijuana');
add('America/Bogota', 'colombia|bogotá|bogota|medellín|medellin|cali|barranquilla');
add('America/Lima', 'peru|perú|lima');
add('America/Guayaquil', 'ecuador|quito|guayaquil');
add('America/Caracas', 'venezuela|caracas|maracaibo');
add('America/Santiago', 'chile|santiago de chile|santiago, chile');
add('America/Argentina/Buenos_Aires', 'argentina|buenos aires|córdoba, argentina|rosario');
add('America/Montevideo', 'uruguay|montevideo');
add('America/Asuncion', 'paraguay|asunción|asuncion');
add('America/La_Paz', 'bolivia|la paz');
add('America/Havana', 'cuba|havana|la habana');
add('America/Panama', 'panama|panamá');
add('America/Costa_Rica', 'costa rica|san josé, costa rica');
add('America/Guatemala', 'guatemala');
add('America/El_Salvador', 'el salvador|san salvador');
add('America/Tegucigalpa', 'honduras|tegucigalpa');
add('America/Managua', 'nicaragua|managua');
add('America/Santo_Domingo', 'dominican republic|república dominicana|santo domingo');
add('America/Puerto_Rico', 'puerto rico|san juan, pr');
add(
  'America/Sao_Paulo',
  'são paulo|sao paulo|rio de janeiro|belo horizonte|brasília|brasilia|curitiba|porto alegre|salvador, bahia|recife|fortaleza',
);
add('America/Manaus', 'manaus|amazonas, brazil');
// United States: states, their usual abbreviations after a comma, and large cities.
add(
  'America/New_York',
  'new york|nyc|new york city|brooklyn|manhattan|queens|bronx|boston|massachusetts|philadelphia|pennsylvania|atlanta|georgia|florida|miami|orlando|tampa|jacksonville|washington dc|washington, dc|washington d.c.|dc|d.c.|virginia|maryland|baltimore|new jersey|connecticut|rhode island|delaware|north carolina|charlotte|raleigh|south carolina|ohio|columbus|cleveland|cincinnati|michigan|detroit|indiana|indianapolis|west virginia|maine|new hampshire|vermont|pittsburgh|kentucky|louisville|east coast',
);
add(
  'America/Chicago',
  'chicago|illinois|texas|houston|dallas|austin|san antonio|fort worth|tennessee|nashville|memphis|minnesota|minneapolis|wisconsin|milwaukee|missouri|st. louis|st louis|kansas city|kansas|iowa|oklahoma|oklahoma city|tulsa|louisiana|new orleans|alabama|birmingham, al|mississippi|arkansas|nebraska|omaha|south dakota|north dakota',
);
add(
  'America/Denver',
  'denver|colorado|utah|salt lake city|new mexico|albuquerque|wyoming|montana|idaho|boise',
);
add('America/Phoenix', 'phoenix|arizona|tucson|scottsdale');
add(
  'America/Los_Angeles',
  'los angeles|la|california|san francisco|sf|bay area|san diego|san jose|sacramento|oakland|seattle|washington state|oregon|portland, or|portland|nevada|las vegas|west coast|hollywood',
);
add('America/Anchorage', 'alaska|anchorage');
add('Pacific/Honolulu', 'hawaii|honolulu');

/** US state codes, accepted only as a separate part in capitals ("Atlanta, GA", "Ohio, US"). */
const US_CODES: Record<string, string> = {};
for (const [zone, codes] of [
  ['America/New_York', 'NY NJ PA MA CT RI DE MD VA DC NC SC GA FL OH MI IN WV ME NH VT KY'],
  ['America/Chicago', 'IL TX TN MN WI MO KS IA OK LA AL MS AR NE SD ND'],
  ['America/Denver', 'CO UT NM WY MT ID'],
  ['America/Phoenix', 'AZ'],
  ['America/Los_Angeles', 'CA WA OR NV'],
  ['America/Anchorage', 'AK'],
  ['Pacific/Honolulu', 'HI'],
] as const)
  for (const c of codes.split(' ')) US_CODES[c] = zone;

/** Lower case, compatibility forms folded, marks dropped outside Arabic script, spaces collapsed. */
export function normalizePlace(s: string): string {
  return s
    .normalize('NFKC')
    .toLowerCase()
    .normalize('NFD')
    .replace(/(?<=[\p{Script=Latin}\p{Script=Cyrillic}\p{Script=Greek}])\p{M}+/gu, '')
    .normalize('NFC')
    .replace(/[\s_]+/g, ' ')
    .trim();
}

/**
 * The IANA zone a stated location implies, or undefined. Parts are tried from the most specific
 * (the first, before a comma) to the country; within a part, the whole part, then word runs.
 */
export function zoneOfLocation(location: string | null | undefined): string | undefined {
  if (!location) return undefined;
  const whole = normalizePlace(location);
  if (PLACES[whole]) return PLACES[whole];
  const parts = location
    .split(/[,/|;·•()\n]+/)
    .map((p) => p.trim())
    .filter(Boolean);
  for (const raw of parts) {
    if (/^[A-Z]{2}$/.test(raw) && US_CODES[raw]) return US_CODES[raw];
    const part = normalizePlace(raw);
    if (PLACES[part]) return PLACES[part];
  }
  for (const raw of parts) {
    const words = normalizePlace(raw)
      .split(/[\s.\-–—!?'"]+/)
      .filter(Boolean);
    for (let n = Math.min(3, words.length); n >= 1; n--)
      for (let i = 0; i + n <= words.length; i++) {
        const w = words.slice(i, i + n).join(' ');
        // Two-letter words ("la", "dc", "uk") match only as a whole part, never inside a sentence.
        if (w.length > 2 && PLACES[w]) return PLACES[w];
      }
  }
  return undefined;
}

const offsetCache = new Map<string, number>();

/** UTC offset in minutes of an IANA zone at an instant (ICU data of the running Node). */
export function zoneOffsetMinutes(zone: string, at: Date): number {
  const key = `${zone}@${Math.floor(at.getTime() / 86_400_000)}`;
  const cached = offsetCache.get(key);
  if (cached !== undefined) return cached;
  const name = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' })
    .formatToParts(at)
    .find((p) => p.type === 'timeZoneName')?.value;
  const m = /GMT([+-])(\d{2}):(\d{2})/.exec(name ?? '');
  const minutes = m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
  offsetCache.set(key, minutes);
  return minutes;
}
