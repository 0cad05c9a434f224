/**
 * Words, names, places and sites the simulator writes with. Everything is invented or generic:
 * names are common given names and surnames, sites use the reserved `.example` top-level domain,
 * so demo data can never be read as a claim about a real person or outlet.
 */
import type { Lang, Persona } from './config.js';

export const WORDS: Record<Lang, string[]> = {
  en: `people city government market weather game school health water energy prices rent housing music film book coffee
    morning weekend family friends team season vote council budget jobs workers report story photo video news traffic
    train airport summer heat storm garden food recipe bread market science space climate river park bridge road police
    court election campaign debate policy plan tax bill senate mayor hospital doctor nurse teacher student library museum
    concert festival match goal coach player fans league tickets phone internet privacy data security update software
    startup company office meeting deadline project idea question answer problem solution history culture art design
    fashion travel hotel beach mountain island dog cat bird tree flower sunset breakfast dinner lunch kitchen neighbor`.split(
    /\s+/,
  ),
  fa: `مردم شهر دولت بازار هوا بازی مدرسه سلامت آب انرژی قیمت اجاره خانه موسیقی فیلم کتاب قهوه صبح آخر هفته خانواده
    دوستان تیم فصل رای شورا بودجه کار کارگران گزارش خبر عکس ویدیو ترافیک قطار فرودگاه تابستان گرما باران باغ غذا نان
    علم فضا رودخانه پارک پل جاده پلیس دادگاه انتخابات مناظره سیاست برنامه مالیات مجلس شهردار بیمارستان پزشک پرستار
    معلم دانشجو کتابخانه موزه کنسرت جشنواره مسابقه گل مربی بازیکن هواداران لیگ بلیت تلفن اینترنت امنیت شرکت دفتر
    جلسه پروژه ایده سوال جواب مشکل راه تاریخ فرهنگ هنر سفر هتل دریا کوه درخت گل غروب صبحانه شام ناهار آشپزخانه همسایه`.split(
    /\s+/,
  ),
  ar: `الناس المدينة الحكومة السوق الطقس المباراة المدرسة الصحة الماء الطاقة الأسعار الإيجار السكن الموسيقى الفيلم
    الكتاب القهوة الصباح العطلة العائلة الأصدقاء الفريق الموسم التصويت المجلس الميزانية الوظائف العمال التقرير الخبر
    الصورة الفيديو المرور القطار المطار الصيف الحر العاصفة الحديقة الطعام الخبز العلم الفضاء المناخ النهر الجسر الطريق
    الشرطة المحكمة الانتخابات الحملة النقاش السياسة الخطة الضريبة البرلمان المستشفى الطبيب الممرضة المعلم الطالب المكتبة
    المتحف الحفل المهرجان الهدف المدرب اللاعب الجمهور الدوري التذاكر الهاتف الإنترنت الخصوصية البيانات الشركة المكتب
    الاجتماع المشروع الفكرة السؤال الجواب المشكلة الحل التاريخ الثقافة الفن السفر الفندق الشاطئ الجبل الشجرة الغروب`.split(
    /\s+/,
  ),
  ru: `люди город правительство рынок погода игра школа здоровье вода энергия цены аренда жильё музыка фильм книга кофе
    утро выходные семья друзья команда сезон выборы совет бюджет работа рабочие отчёт новости фото видео пробки поезд
    аэропорт лето жара гроза сад еда хлеб наука космос климат река парк мост дорога полиция суд кампания дебаты политика
    план налог закон мэр больница врач медсестра учитель студент библиотека музей концерт фестиваль матч гол тренер
    игрок болельщики лига билеты телефон интернет данные безопасность обновление компания офис встреча проект идея
    вопрос ответ проблема решение история культура искусство путешествие гостиница пляж горы остров собака кошка дерево`.split(
    /\s+/,
  ),
  es: `gente ciudad gobierno mercado clima partido escuela salud agua energía precios alquiler vivienda música película
    libro café mañana fin semana familia amigos equipo temporada voto consejo presupuesto empleo trabajadores informe
    noticia foto video tráfico tren aeropuerto verano calor tormenta jardín comida pan ciencia espacio río parque puente
    camino policía tribunal elecciones campaña debate política plan impuesto congreso alcalde hospital médico enfermera
    maestro estudiante biblioteca museo concierto festival gol entrenador jugador afición liga entradas teléfono internet
    datos seguridad empresa oficina reunión proyecto idea pregunta respuesta problema solución historia cultura arte viaje`.split(
    /\s+/,
  ),
};

/** Function words and connectors, so sentences read like the language (and language ID works). */
export const GLUE: Record<Lang, string[]> = {
  en: 'the a and of to in for on with is are was this that it my our your so very just really today now again not but about from at'.split(
    ' ',
  ),
  fa: 'و در به از که این آن با برای را است بود هم خیلی امروز الان دوباره نه اما درباره تا یک ما شما'.split(
    ' ',
  ),
  ar: 'و في على من إلى هذا هذه مع عن أن كان هو هي جدا اليوم الآن مرة لا لكن حول كل قد'.split(' '),
  ru: 'и в на с по для это что как не но очень сегодня сейчас снова о из у мы вы наш так уже'.split(' '),
  es: 'el la y de en para con es son fue este esta muy hoy ahora otra no pero sobre desde un una nuestro'.split(
    ' ',
  ),
};

export const OPENERS: Record<Lang, string[]> = {
  en: [
    'Honestly',
    'Just saw',
    'Can someone explain',
    'Reminder:',
    'Thread:',
    'Wow',
    'Finally',
    'Good morning',
    'Hot take:',
    'Update:',
    'Anyone else',
    'So',
  ],
  fa: ['واقعا', 'همین الان', 'یادآوری:', 'خبر:', 'سلام', 'بالاخره', 'کسی میدونه', 'به نظرم', 'امروز'],
  ar: ['بصراحة', 'شاهدت الآن', 'تذكير:', 'عاجل:', 'صباح الخير', 'أخيرا', 'هل يعرف أحد', 'رأيي:', 'اليوم'],
  ru: [
    'Честно',
    'Только что',
    'Напоминание:',
    'Новости:',
    'Доброе утро',
    'Наконец',
    'Кто знает',
    'Мнение:',
    'Сегодня',
  ],
  es: [
    'Sinceramente',
    'Acabo de ver',
    'Recordatorio:',
    'Última hora:',
    'Buenos días',
    'Por fin',
    'Alguien sabe',
    'Opinión:',
    'Hoy',
  ],
};

export const EMOJI = [
  '😂',
  '🙏',
  '🔥',
  '👏',
  '😡',
  '💔',
  '✅',
  '❗',
  '🇺🇸',
  '🤔',
  '😢',
  '💪',
  '👀',
  '🌹',
  '⚽',
  '📢',
];

export const FIRST: Record<Persona, string[]> = {
  us: 'James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara Richard Susan Joseph Jessica Thomas Sarah Chris Karen Daniel Lisa Matthew Nancy Anthony Betty Mark Sandra Steven Ashley Paul Emily Andrew Donna Josh Michelle Kevin Amanda Brian Melissa'.split(
    ' ',
  ),
  uk: 'Oliver Amelia George Isla Harry Ava Jack Mia Charlie Grace Thomas Sophie Oscar Lily William Emily Henry Poppy Alfie Ella Leo Evie Arthur Chloe Freddie Ruby'.split(
    ' ',
  ),
  iran: 'Ali Maryam Reza Zahra Mohammad Fatemeh Hossein Sara Amir Narges Mehdi Leila Hamid Shirin Saeed Nasrin Arash Parisa Babak Mina Farhad Niloufar Kaveh Roya'.split(
    ' ',
  ),
  gulf: 'Ahmed Fatima Mohammed Aisha Khalid Mariam Omar Noura Abdullah Layla Yousef Huda Saeed Hessa Faisal Reem Hamad Salma Rashid Amal'.split(
    ' ',
  ),
  russia:
    'Alexei Olga Dmitry Natalia Sergei Elena Ivan Tatiana Nikolai Irina Andrei Svetlana Pavel Anna Mikhail Yulia Vladimir Ekaterina Artem Marina'.split(
      ' ',
    ),
  latam:
    'Juan María Carlos Ana Luis Carmen Jorge Lucía Miguel Sofía Andrés Valentina Diego Camila Javier Daniela Pedro Gabriela Alejandro Paula'.split(
      ' ',
    ),
};

export const LAST: Record<Persona, string[]> = {
  us: 'Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Wilson Anderson Taylor Thomas Moore Jackson Martin Lee Thompson White Harris Clark Lewis Walker Hall Allen Young King Wright Scott'.split(
    ' ',
  ),
  uk: 'Smith Jones Taylor Brown Williams Wilson Johnson Davies Patel Robinson Wright Thompson Evans Walker White Roberts Green Hall Wood Jackson Clarke Hughes Edwards Turner'.split(
    ' ',
  ),
  iran: 'Ahmadi Hosseini Mohammadi Rezaei Moradi Karimi Jafari Rahimi Hashemi Mousavi Kazemi Ebrahimi Sadeghi Amini Ghasemi Najafi Tehrani Shirazi Farahani Azizi'.split(
    ' ',
  ),
  gulf: 'AlMansoori AlHashimi AlMaktoum AlQasimi AlSuwaidi AlNuaimi AlShamsi AlKaabi AlZaabi AlDhaheri AlHarthi AlMutairi AlOtaibi AlQahtani AlGhamdi'.split(
    ' ',
  ),
  russia:
    'Ivanov Smirnov Kuznetsov Popov Vasiliev Petrov Sokolov Mikhailov Novikov Fedorov Morozov Volkov Alekseev Lebedev Semenov Egorov Pavlov Kozlov'.split(
      ' ',
    ),
  latam:
    'García Rodríguez Martínez López González Pérez Sánchez Ramírez Torres Flores Rivera Gómez Díaz Reyes Morales Cruz Ortiz Gutiérrez Castro Vargas'.split(
      ' ',
    ),
};

/** Display names in their own script for organic accounts writing Persian, Arabic or Russian. */
export const NATIVE_NAMES: Partial<Record<Lang, string[]>> = {
  fa: 'علی مریم رضا زهرا محمد فاطمه حسین سارا امیر نرگس مهدی لیلا حمید شیرین سعید نسرین آرش پریسا بابک مینا'.split(
    ' ',
  ),
  ar: 'أحمد فاطمة محمد عائشة خالد مريم عمر نورة عبدالله ليلى يوسف هدى سعيد فيصل ريم حمد سلمى راشد أمل'.split(
    ' ',
  ),
  ru: 'Алексей Ольга Дмитрий Наталья Сергей Елена Иван Татьяна Николай Ирина Андрей Светлана Павел Анна Михаил Юлия'.split(
    ' ',
  ),
};

export const PLACES: Record<Persona, string[]> = {
  us: [
    'Texas, USA',
    'Ohio',
    'Florida',
    'Phoenix, AZ',
    'Atlanta, GA',
    'Michigan, USA',
    'Denver, CO',
    'Nashville, TN',
    'Pennsylvania',
    'California',
    'New York, NY',
    'Chicago, IL',
  ],
  uk: [
    'London',
    'Manchester, England',
    'Leeds',
    'Bristol, UK',
    'Glasgow, Scotland',
    'Birmingham',
    'Liverpool',
    'Cardiff, Wales',
  ],
  iran: ['تهران', 'Tehran, Iran', 'Shiraz', 'اصفهان', 'Mashhad', 'Tabriz, Iran'],
  gulf: ['Dubai, UAE', 'الرياض', 'Abu Dhabi', 'جدة', 'Doha, Qatar', 'Kuwait', 'Manama, Bahrain'],
  russia: ['Москва', 'Moscow', 'Санкт-Петербург', 'Kazan', 'Novosibirsk', 'Екатеринбург'],
  latam: [
    'Bogotá, Colombia',
    'CDMX',
    'Lima, Perú',
    'Buenos Aires',
    'Madrid, España',
    'Caracas',
    'Santiago de Chile',
  ],
};

/** Organic home zones per language: [UTC offset in minutes in June 2024, weight, persona for names/places]. */
export const ZONES: Record<Lang, [number, number, Persona][]> = {
  en: [
    [-240, 0.34, 'us'],
    [-300, 0.18, 'us'],
    [-360, 0.06, 'us'],
    [-420, 0.14, 'us'],
    [60, 0.16, 'uk'],
    [600, 0.06, 'uk'],
    [330, 0.06, 'uk'],
  ],
  fa: [
    [210, 0.78, 'iran'],
    [-420, 0.08, 'iran'],
    [60, 0.06, 'iran'],
    [120, 0.05, 'iran'],
    [-240, 0.03, 'iran'],
  ],
  ar: [
    [180, 0.5, 'gulf'],
    [240, 0.25, 'gulf'],
    [120, 0.15, 'gulf'],
    [60, 0.1, 'gulf'],
  ],
  ru: [
    [180, 0.7, 'russia'],
    [300, 0.15, 'russia'],
    [420, 0.1, 'russia'],
    [120, 0.05, 'russia'],
  ],
  es: [
    [120, 0.35, 'latam'],
    [-360, 0.3, 'latam'],
    [-300, 0.2, 'latam'],
    [-180, 0.15, 'latam'],
  ],
};

export const BIO_PARTS: Record<Lang, string[]> = {
  en: [
    'Coffee addict',
    'Dog mom',
    'Dad of three',
    'Nurse',
    'Teacher',
    'Engineer',
    'Views my own',
    'Football fan',
    'Runner',
    'Photographer',
    'Student',
    'Writer',
    'Gamer',
    'Foodie',
    'Traveler',
    'Retired',
    'Love my family',
    'Music is life',
    'Small business owner',
    'Bookworm',
  ],
  fa: [
    'عاشق کتاب',
    'مهندس',
    'معلم',
    'دانشجو',
    'عکاس',
    'پرستار',
    'عاشق سفر',
    'فوتبال',
    'موسیقی',
    'نویسنده',
    'آشپزی',
  ],
  ar: [
    'مهندس',
    'معلم',
    'طالب',
    'مصور',
    'ممرضة',
    'أحب السفر',
    'كرة القدم',
    'كاتب',
    'أحب القراءة',
    'رائد أعمال',
  ],
  ru: [
    'Инженер',
    'Учитель',
    'Студент',
    'Фотограф',
    'Люблю путешествия',
    'Футбол',
    'Музыка',
    'Писатель',
    'Врач',
  ],
  es: [
    'Ingeniera',
    'Maestro',
    'Estudiante',
    'Fotógrafo',
    'Amo viajar',
    'Fútbol',
    'Música',
    'Escritora',
    'Médico',
    'Emprendedor',
  ],
};

/** Templated bios of operation personas: slots {place} {cause} {emoji}. */
export const PERSONA_BIOS = [
  'Proud {place} patriot {emoji} | Family first | {cause}',
  '{cause} {emoji} Mother. Believer. {place}',
  'Truth seeker. {cause}. Born and raised in {place} {emoji}',
  'Just a regular {place} citizen who loves freedom {emoji} {cause}',
  'Veteran | {cause} | {place} | No DMs',
];
export const CAUSES = [
  '#StandStrong',
  'Speak the truth',
  'Justice for all',
  'Peace through strength',
  'Wake up!',
  'For our children',
  'Freedom matters',
];

export const NEWS_SITES = [
  'dailyledger.example',
  'metrochronicle.example',
  'thecapitalpost.example',
  'worldwire.example',
  'eveningstar.example',
  'citybeat.example',
  'nationaltribune.example',
  'globalobserver.example',
  'morningrecord.example',
  'pressdigest.example',
];
export const BLOG_SITES = [
  'medium-like.example',
  'substack-like.example',
  'videoshare.example',
  'photoboard.example',
  'forum.example',
  'recipes.example',
  'sportsdaily.example',
  'techtalk.example',
];
/** Affiliated sites an operation launders links through. */
export const FRONT_SITES = [
  'truthfrontier.example',
  'realnewsnow.example',
  'patriotdispatch.example',
  'voiceofthepeople.example',
  'independentinsight.example',
  'dailyawakening.example',
  'freshperspective.example',
  'citizenwire.example',
  'thetruthdesk.example',
  'regionalherald.example',
  'peoplesreport.example',
  'openeyesmedia.example',
];

export const CLIENTS = [
  'Twitter for iPhone',
  'Twitter for Android',
  'Twitter Web App',
  'TweetDeck',
  'Twitter for iPad',
];
export const AUTOMATION_CLIENTS = ['dlvr.it', 'IFTTT', 'Buffer', 'Hootsuite Inc.'];

/**
 * Messages of operations, per language: campaign slogans and talking points. They read like the
 * generic political spam of takedown reports without naming any real person, party or country.
 */
export const OP_MESSAGES: Record<Lang, string[]> = {
  en: [
    'The people deserve to know the truth about what is happening in our cities',
    'They will never tell you this on the evening news but the numbers do not lie',
    'Our leaders sold us out and the media is covering for them again',
    'This is what real courage looks like and why we stand with the movement',
    'Share this before it gets deleted, the official story is falling apart',
    'Foreign interference in our elections must end now, enough is enough',
    'Every honest citizen should read this report and ask hard questions',
    'The protests are growing and the world is finally paying attention',
  ],
  fa: [
    'مردم حق دارند حقیقت را درباره آنچه در شهرها می‌گذرد بدانند',
    'رسانه‌ها این را به شما نمی‌گویند اما آمارها دروغ نمی‌گویند',
    'این همان شجاعت واقعی است و ما در کنار این جنبش ایستاده‌ایم',
    'قبل از اینکه حذف شود این را منتشر کنید، روایت رسمی در حال فروپاشی است',
    'دخالت خارجی در انتخابات ما باید همین حالا متوقف شود',
    'هر شهروند آگاهی باید این گزارش را بخواند و سوال بپرسد',
  ],
  ar: [
    'من حق الناس أن يعرفوا الحقيقة حول ما يحدث في مدننا',
    'لن يخبروكم بهذا في نشرة الأخبار لكن الأرقام لا تكذب',
    'هذه هي الشجاعة الحقيقية ولهذا نقف مع هذه الحركة',
    'انشروا هذا قبل أن يحذف فالرواية الرسمية تنهار',
    'يجب أن يتوقف التدخل الأجنبي في شؤوننا الآن',
    'على كل مواطن صادق أن يقرأ هذا التقرير ويسأل',
  ],
  ru: [
    'Люди имеют право знать правду о том что происходит в наших городах',
    'Об этом не расскажут в вечерних новостях но цифры не лгут',
    'Распространите это пока не удалили официальная версия рушится',
    'Иностранное вмешательство в наши дела должно прекратиться сейчас',
    'Каждый честный гражданин должен прочитать этот доклад',
  ],
  es: [
    'La gente merece saber la verdad sobre lo que pasa en nuestras ciudades',
    'No te lo dirán en las noticias pero los números no mienten',
    'Comparte esto antes de que lo borren, la versión oficial se cae',
    'Periodista vendido, todos sabemos quién te paga',
    'Basta de mentiras, el pueblo ya despertó',
  ],
};

/** Replies of a swarm on a journalist: {handle} is the target. */
export const SWARM_REPLIES: Record<Lang, string[]> = {
  en: [
    '@{handle} who is paying you to write this garbage?',
    '@{handle} another lie from a fake journalist',
    '@{handle} delete your account, nobody believes you',
    '@{handle} you are a disgrace to journalism',
    '@{handle} we know exactly who you work for',
  ],
  fa: [
    '@{handle} چه کسی به تو پول می‌دهد که این را بنویسی؟',
    '@{handle} یک دروغ دیگر از یک خبرنگار جعلی',
    '@{handle} هیچ کس حرفت را باور نمی‌کند',
  ],
  ar: ['@{handle} من يدفع لك لكتابة هذا؟', '@{handle} كذبة أخرى من صحفي مزيف', '@{handle} لا أحد يصدقك'],
  ru: ['@{handle} кто тебе платит за эту чушь?', '@{handle} очередная ложь фальшивого журналиста'],
  es: [
    '@{handle} ¿quién te paga por escribir esta basura?',
    '@{handle} otra mentira de un periodista falso',
    '@{handle} nadie te cree, vendido',
  ],
};

/** Synonym pairs used for small edits in copy-paste storms. */
export const SYNONYMS: Record<Lang, [string, string][]> = {
  en: [
    ['people', 'public'],
    ['truth', 'facts'],
    ['cities', 'towns'],
    ['never', 'not'],
    ['media', 'press'],
    ['read', 'see'],
    ['now', 'today'],
    ['finally', 'at last'],
    ['real', 'true'],
  ],
  fa: [
    ['مردم', 'ملت'],
    ['حقیقت', 'واقعیت'],
    ['همین حالا', 'فورا'],
    ['رسانه‌ها', 'خبرگزاری‌ها'],
    ['گزارش', 'مطلب'],
  ],
  ar: [
    ['الناس', 'الشعب'],
    ['الحقيقة', 'الواقع'],
    ['الآن', 'فورا'],
    ['التقرير', 'المقال'],
  ],
  ru: [
    ['Люди', 'Граждане'],
    ['правду', 'истину'],
    ['сейчас', 'немедленно'],
    ['доклад', 'материал'],
  ],
  es: [
    ['gente', 'población'],
    ['verdad', 'realidad'],
    ['noticias', 'medios'],
    ['ahora', 'ya'],
  ],
};

/** Words for hashtags, in CamelCase: organic trending tags and operation campaign tags are made of these. */
export const TAG_WORDS: Record<Lang, string[]> = {
  en: 'Monday Motivation Throwback Thursday Election News Breaking Climate Action Health Care Jobs Report World Cup Music Fans Tech Life Travel Food Weekend Vibes Justice Peace Freedom Truth Together Strong Now Future Hope Local'.split(
    ' ',
  ),
  fa: 'ایران تهران خبر فوری انتخابات اقتصاد فوتبال موسیقی سفر زندگی آزادی صلح عدالت آینده امید مردم'.split(
    ' ',
  ),
  ar: 'عاجل الرياض دبي مصر اخبار اقتصاد كرة القدم سفر حياة حرية سلام عدالة مستقبل أمل الشعب'.split(' '),
  ru: 'Новости Москва Выборы Экономика Футбол Музыка Путешествия Жизнь Мир Правда Будущее Надежда'.split(' '),
  es: 'Noticias Elecciones Economía Fútbol Música Viajes Vida Libertad Paz Justicia Futuro Esperanza Ahora'.split(
    ' ',
  ),
};
