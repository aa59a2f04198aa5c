"""A demo and evaluation population: honest applicants, honest look-alikes, and fraud rings.

`demo_population()` is pure and deterministic: one `random.Random(seed)` drives every choice,
so a seed always gives the same applicants (the demo looks the same on every machine and an
evaluation can be re-run), and another seed gives another population.

Honest applicants are diverse on purpose: no nationality is a signal (THREATS.md), so fraud
personas draw their names from the same pools as honest applicants of their claimed country.
A share of honest applicants carry the innocent versions of the red flags (VPNs, new GitHub
accounts, shared homes and IPs, payout services, foreign phones), so that an evaluation
measures false positives, not only recall. Ring members each use a random subset of their
ring's tactics, so detection is not trivially perfect.

Every payload is a valid `CandidateInput` payload (the ATS contract); the tests check it.
"""

import copy
import dataclasses
import ipaddress
import random
import re
import string
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import phonenumbers
from phonenumbers import PhoneNumberFormat, PhoneNumberType
from schwifty import IBAN

from candidates import normalize
from demo.paraphrase import paraphrase

# Fixed "now" of the population, so the output does not depend on the day it is generated.
BASE_DATE = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
BASE_MONTH = BASE_DATE.year * 12 + BASE_DATE.month - 1  # months are counted as year*12+m-1
APPLICATION_WINDOW_DAYS = 90
HONEST, FRAUD = "honest", "fraud"


@dataclass(frozen=True)
class DemoApplicant:
    payload: dict  # a CandidateInput payload, as an ATS would post it
    label: str  # HONEST or FRAUD: the ground truth for evaluations
    ring: str | None  # "ring-2" for fraud ring members
    persona: str  # the archetype, e.g. "honest: VPN user", "fraud ring 2: laptop-farm member"
    # The evaluation's row: the confounder (honest) or tactic (fraud) this applicant stands
    # for; "" for the base population, whose rows come from the persona.
    group: str = ""
    # Fraud an HR lead already rejected before the others applied: its identifiers are known
    # bad (issue 10, item 5). Context for the evaluation, not counted in its figures.
    decided: bool = False


# --- Reference data ---------------------------------------------------------------------------


@dataclass(frozen=True)
class City:
    name: str
    region: str
    postal: str  # pattern: "#" a digit, "?" a letter
    area_code: str = ""  # NANP (US/CA) numbers carry the city's area code


@dataclass(frozen=True)
class Country:
    code: str
    weight: int  # share among honest applicants
    male: tuple[str, ...]
    female: tuple[str, ...]
    surnames: tuple[str, ...]
    cities: tuple[City, ...]
    streets: tuple[str, ...]
    line1: str  # "{n} {street}" or "{street} {n}"
    units: tuple[str, ...]  # line2 formats with {u}; empty for countries that rarely use one
    ip_blocks: tuple[str, ...]  # residential ISP blocks (checked against GeoIP and hosting lists)
    webmail: tuple[str, ...]
    tld: str
    company_suffix: str
    language: str
    universities: tuple[str, ...]
    two_surnames: bool = False  # Spanish-speaking countries: "Lucía García Navarro"


C = City
COUNTRIES: dict[str, Country] = {c.code: c for c in (
    Country(
        "US", 18,
        ("James", "Michael", "David", "Daniel", "Ryan", "Kevin", "Brian", "Tyler", "Marcus",
         "Andre", "Carlos", "Nathan", "Ethan", "Jordan", "Derek", "Jamal", "Luis", "Eric"),
        ("Emily", "Sarah", "Jessica", "Ashley", "Megan", "Rachel", "Lauren", "Jasmine", "Priya",
         "Kimberly", "Dana", "Olivia", "Hannah", "Taylor", "Brianna", "Grace", "Monica"),
        ("Smith", "Johnson", "Williams", "Brown", "Miller", "Davis", "Wilson", "Anderson",
         "Thompson", "Martinez", "Robinson", "Clark", "Lewis", "Walker", "Hall", "Young", "King",
         "Wright", "Nguyen", "Patel", "Kim", "Whitfield", "Coleman", "Hughes", "Bennett",
         "Foster", "Reyes", "Sullivan", "Brooks", "Price", "Jackson", "Okafor"),
        (C("Austin", "TX", "787##", "512"), C("Seattle", "WA", "981##", "206"),
         C("Denver", "CO", "802##", "303"), C("Chicago", "IL", "606##", "312"),
         C("Atlanta", "GA", "303##", "404"), C("Portland", "OR", "972##", "503"),
         C("Raleigh", "NC", "276##", "919"), C("Columbus", "OH", "432##", "614"),
         C("Minneapolis", "MN", "554##", "612"), C("Phoenix", "AZ", "850##", "602"),
         C("Boston", "MA", "021##", "617"), C("San Diego", "CA", "921##", "619"),
         C("Pittsburgh", "PA", "152##", "412"), C("Salt Lake City", "UT", "841##", "801"),
         C("Brooklyn", "NY", "112##", "718")),
        ("Maple Street", "Oak Avenue", "Cedar Lane", "Elm Drive", "Pine Court", "Lakeview Road",
         "Sunset Boulevard", "Willow Way", "Park Place", "North Main Street", "West 5th Street",
         "Hillcrest Drive", "Ridge Road", "Magnolia Terrace", "Birch Circle", "Jefferson Avenue",
         "South Congress Avenue", "East Washington Street"),
        "{n} {street}", ("Apt {u}", "Unit {u}", "Apartment {u}"),
        ("73.0.0.0/11", "67.160.0.0/11", "98.192.0.0/10", "24.0.0.0/12", "71.192.0.0/12",
         "108.0.0.0/12", "174.48.0.0/12"),
        ("yahoo.com", "icloud.com", "hey.com"), "com", "Inc.", "English",
        ("University of Texas at Austin", "Georgia Institute of Technology",
         "Ohio State University", "University of Washington", "Arizona State University",
         "Purdue University"),
    ),
    Country(
        "CA", 6,
        ("Liam", "Noah", "Mathieu", "Olivier", "Ethan", "Jacob", "Gabriel", "Owen", "Arjun"),
        ("Emma", "Chloé", "Sophie", "Ava", "Isabelle", "Zoe", "Maya", "Camille"),
        ("Tremblay", "Gagnon", "Roy", "Côté", "MacDonald", "Campbell", "Wong", "Singh",
         "Leblanc", "Martin", "Fraser", "Stewart", "Chen", "Bouchard", "Morrison"),
        (C("Toronto", "ON", "M#? #?#", "416"), C("Vancouver", "BC", "V#? #?#", "604"),
         C("Montréal", "QC", "H#? #?#", "514"), C("Calgary", "AB", "T#? #?#", "403"),
         C("Ottawa", "ON", "K#? #?#", "613"), C("Halifax", "NS", "B#? #?#", "902")),
        ("Queen Street West", "King Street East", "Rue Saint-Denis", "Granville Street",
         "Bank Street", "Spring Garden Road", "17th Avenue SW", "Dundas Street West",
         "Commercial Drive", "Avenue du Parc"),
        "{n} {street}", ("Unit {u}", "Apt {u}", "Suite {u}"),
        ("70.24.0.0/13", "99.224.0.0/11", "24.114.0.0/16"),
        ("yahoo.ca", "icloud.com"), "ca", "Inc.", "English",
        ("University of Toronto", "University of Waterloo", "McGill University",
         "University of British Columbia"),
    ),
    Country(
        "GB", 8,
        ("Oliver", "George", "Harry", "Jack", "Thomas", "Callum", "Rhys", "Imran", "Alfie"),
        ("Amelia", "Isla", "Charlotte", "Sophie", "Chloe", "Freya", "Aisha", "Niamh", "Poppy"),
        ("Taylor", "Evans", "Jones", "Davies", "Roberts", "Walsh", "Hughes", "Wright", "Patel",
         "Khan", "Murray", "Clarke", "Harrison", "Turner", "Cooper", "Baker", "Ahmed", "Fletcher"),
        (C("London", "England", "N1# #??"), C("Manchester", "England", "M## #??"),
         C("Bristol", "England", "BS# #??"), C("Leeds", "England", "LS# #??"),
         C("Edinburgh", "Scotland", "EH# #??"), C("Cardiff", "Wales", "CF1# #??"),
         C("Brighton", "England", "BN# #??")),
        ("High Street", "Church Road", "Victoria Road", "Station Road", "Mill Lane",
         "Queen's Road", "Albert Street", "Park Avenue", "Kingsway", "Gloucester Place"),
        "{n} {street}", ("Flat {u}",),
        ("86.128.0.0/11", "81.96.0.0/13", "82.0.0.0/14"),
        ("yahoo.co.uk", "btinternet.com"), "co.uk", "Ltd", "English",
        ("University of Manchester", "University of Leeds", "University of Edinburgh",
         "King's College London", "University of Bristol"),
    ),
    Country(
        "DE", 7,
        ("Lukas", "Leon", "Jonas", "Felix", "Paul", "Tobias", "Maximilian", "Niklas", "Jan",
         "Mehmet"),
        ("Anna", "Lena", "Lea", "Hannah", "Marie", "Julia", "Sophie", "Katharina", "Elif"),
        ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
         "Schulz", "Hoffmann", "Koch", "Richter", "Klein", "Wolf", "Schröder", "Neumann",
         "Zimmermann", "Yılmaz", "Braun", "Krüger"),
        (C("Berlin", "Berlin", "10###"), C("Hamburg", "Hamburg", "22###"),
         C("München", "Bayern", "80###"), C("Köln", "Nordrhein-Westfalen", "50###"),
         C("Leipzig", "Sachsen", "04###"), C("Frankfurt am Main", "Hessen", "60###"),
         C("Stuttgart", "Baden-Württemberg", "70###")),
        ("Lindenstraße", "Bergmannstraße", "Schillerstraße", "Goethestraße", "Hauptstraße",
         "Gartenweg", "Kastanienallee", "Torstraße", "Friedrichstraße", "Am Markt"),
        "{street} {n}", (),
        ("79.192.0.0/10", "91.0.0.0/10", "84.128.0.0/10", "93.192.0.0/10"),
        ("gmx.de", "web.de", "posteo.de"), "de", "GmbH", "German",
        ("TU München", "Karlsruher Institut für Technologie", "TU Berlin", "RWTH Aachen"),
    ),
    Country(
        "PL", 7,
        ("Jakub", "Kacper", "Mateusz", "Piotr", "Łukasz", "Tomasz", "Paweł", "Michał",
         "Wojciech"),
        ("Anna", "Katarzyna", "Magdalena", "Agnieszka", "Zofia", "Karolina", "Aleksandra",
         "Małgorzata"),
        ("Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kowalczyk", "Kamiński", "Lewandowski",
         "Zieliński", "Szymański", "Woźniak", "Dąbrowski", "Kozłowski", "Jankowski", "Mazur",
         "Krawczyk"),
        (C("Warszawa", "mazowieckie", "0#-###"), C("Kraków", "małopolskie", "3#-###"),
         C("Wrocław", "dolnośląskie", "5#-###"), C("Gdańsk", "pomorskie", "80-###"),
         C("Poznań", "wielkopolskie", "6#-###"), C("Łódź", "łódzkie", "9#-###")),
        ("ul. Marszałkowska", "ul. Długa", "ul. Piotrkowska", "ul. Mickiewicza",
         "ul. Słowackiego", "ul. Kościuszki", "ul. Grunwaldzka", "ul. Lipowa"),
        "{street} {n}", ("m. {u}",),
        ("83.0.0.0/11", "89.64.0.0/12"),
        ("wp.pl", "onet.pl", "interia.pl", "o2.pl"), "pl", "sp. z o.o.", "Polish",
        ("Politechnika Warszawska", "AGH w Krakowie", "Politechnika Wrocławska",
         "Uniwersytet Jagielloński"),
    ),
    Country(
        "NL", 5,
        ("Daan", "Sem", "Lucas", "Bram", "Thijs", "Ruben", "Jesse", "Mohamed"),
        ("Emma", "Julia", "Sophie", "Tess", "Fleur", "Lotte", "Sanne", "Noa"),
        ("de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Visser", "Smit",
         "Meijer", "de Boer", "Mulder", "Bos", "Vos", "Peters", "Hendriks", "van Leeuwen"),
        (C("Amsterdam", "Noord-Holland", "10## ??"), C("Utrecht", "Utrecht", "35## ??"),
         C("Rotterdam", "Zuid-Holland", "30## ??"), C("Eindhoven", "Noord-Brabant", "56## ??"),
         C("Den Haag", "Zuid-Holland", "25## ??"), C("Groningen", "Groningen", "97## ??")),
        ("Keizersgracht", "Prinsengracht", "Oudegracht", "Witte de Withstraat", "Stationsweg",
         "Kerkstraat", "Vondelstraat", "Herengracht"),
        "{street} {n}", (),
        ("84.24.0.0/13", "77.160.0.0/12", "83.80.0.0/13"),
        ("ziggo.nl", "kpnmail.nl"), "nl", "B.V.", "Dutch",
        ("TU Delft", "Universiteit van Amsterdam", "TU Eindhoven", "Universiteit Utrecht"),
    ),
    Country(
        "ES", 5,
        ("Alejandro", "Pablo", "Javier", "Sergio", "Álvaro", "Adrián", "Jordi", "Daniel"),
        ("Lucía", "María", "Paula", "Laura", "Marta", "Carmen", "Irene", "Núria"),
        ("García", "Fernández", "González", "Rodríguez", "López", "Martínez", "Sánchez", "Pérez",
         "Gómez", "Martín", "Jiménez", "Ruiz", "Navarro", "Torres", "Domínguez", "Vidal", "Puig"),
        (C("Madrid", "Madrid", "280##"), C("Barcelona", "Cataluña", "080##"),
         C("Valencia", "Comunidad Valenciana", "460##"), C("Sevilla", "Andalucía", "410##"),
         C("Málaga", "Andalucía", "290##"), C("Bilbao", "País Vasco", "480##")),
        ("Calle de Alcalá", "Carrer de Mallorca", "Calle Mayor", "Avenida de la Constitución",
         "Calle San Fernando", "Carrer de Sants", "Calle Larios", "Gran Vía"),
        "{street} {n}", ("{u}º B", "{u}º A", "{u}º izq."),
        ("79.144.0.0/12", "88.0.0.0/12", "83.32.0.0/11", "81.32.0.0/12"),
        ("hotmail.es", "yahoo.es"), "es", "S.L.", "Spanish",
        ("Universidad Politécnica de Madrid", "Universitat Politècnica de Catalunya",
         "Universidad de Sevilla", "Universitat de València"),
        two_surnames=True,
    ),
    Country(
        "PT", 4,
        ("João", "Tiago", "Pedro", "Rui", "Miguel", "Diogo", "Gonçalo"),
        ("Ana", "Inês", "Beatriz", "Mariana", "Sofia", "Catarina", "Rita"),
        ("Silva", "Santos", "Ferreira", "Pereira", "Oliveira", "Costa", "Rodrigues", "Martins",
         "Sousa", "Fernandes", "Gonçalves", "Gomes", "Lopes", "Marques", "Almeida", "Ribeiro"),
        (C("Lisboa", "Lisboa", "1###-###"), C("Porto", "Porto", "4###-###"),
         C("Braga", "Braga", "47##-###"), C("Coimbra", "Coimbra", "30##-###"),
         C("Faro", "Faro", "80##-###")),
        ("Rua Augusta", "Rua de Santa Catarina", "Avenida da Liberdade", "Rua do Almada",
         "Rua da Prata", "Travessa do Carmo", "Rua de Cedofeita"),
        "{street} {n}", ("{u}º Esq.", "{u}º Dto."),
        ("85.240.0.0/13", "94.60.0.0/14"),
        ("sapo.pt",), "pt", "Lda.", "Portuguese",
        ("Universidade do Porto", "Instituto Superior Técnico", "Universidade do Minho",
         "Universidade de Coimbra"),
    ),
    Country(
        "BR", 7,
        ("Lucas", "Gabriel", "Matheus", "Rafael", "Gustavo", "Felipe", "Bruno", "Thiago",
         "Vinícius"),
        ("Ana", "Juliana", "Camila", "Fernanda", "Beatriz", "Larissa", "Letícia", "Aline"),
        ("Silva", "Santos", "Oliveira", "Souza", "Lima", "Pereira", "Ferreira", "Costa",
         "Rodrigues", "Almeida", "Nascimento", "Carvalho", "Araújo", "Ribeiro", "Barbosa",
         "Cardoso", "Moreira"),
        (C("São Paulo", "SP", "0####-###"), C("Rio de Janeiro", "RJ", "2####-###"),
         C("Belo Horizonte", "MG", "3####-###"), C("Curitiba", "PR", "8####-###"),
         C("Porto Alegre", "RS", "9####-###"), C("Recife", "PE", "5####-###"),
         C("Florianópolis", "SC", "88###-###")),
        ("Rua Augusta", "Avenida Paulista", "Rua das Flores", "Rua XV de Novembro",
         "Avenida Atlântica", "Rua da Bahia", "Rua Padre Chagas", "Avenida Boa Viagem"),
        "{street}, {n}", ("Apto {u}", "Bloco B, Apto {u}"),
        ("179.96.0.0/13", "191.8.0.0/13", "187.16.0.0/13"),
        ("uol.com.br", "bol.com.br"), "com.br", "Ltda.", "Portuguese",
        ("Universidade de São Paulo", "Unicamp", "UFMG", "UFRGS", "UFPE"),
    ),
    Country(
        "MX", 5,
        ("José", "Luis", "Juan", "Carlos", "Miguel", "Jorge", "Diego", "Fernando"),
        ("Guadalupe", "María", "Sofía", "Valeria", "Daniela", "Ximena", "Andrea", "Mariana"),
        ("Hernández", "García", "Martínez", "López", "González", "Pérez", "Rodríguez", "Sánchez",
         "Ramírez", "Cruz", "Flores", "Gómez", "Morales", "Vázquez", "Reyes", "Castillo"),
        (C("Ciudad de México", "CDMX", "06###"), C("Guadalajara", "Jalisco", "44###"),
         C("Monterrey", "Nuevo León", "64###"), C("Puebla", "Puebla", "72###"),
         C("Querétaro", "Querétaro", "76###"), C("Mérida", "Yucatán", "97###")),
        ("Avenida Insurgentes Sur", "Calle Madero", "Avenida Chapultepec", "Calle Hidalgo",
         "Avenida Revolución", "Calle Morelos", "Calle Colima"),
        "{street} {n}", ("Int. {u}", "Depto. {u}"),
        ("189.128.0.0/11",),
        ("hotmail.com", "yahoo.com.mx"), "mx", "S.A. de C.V.", "Spanish",
        ("UNAM", "Tecnológico de Monterrey", "Universidad de Guadalajara", "IPN"),
        two_surnames=True,
    ),
    Country(
        "IN", 8,
        ("Rahul", "Amit", "Arjun", "Vikram", "Rohan", "Karthik", "Siddharth", "Aditya",
         "Nikhil", "Sanjay"),
        ("Priya", "Ananya", "Sneha", "Divya", "Pooja", "Kavya", "Neha", "Meera"),
        ("Sharma", "Patel", "Iyer", "Reddy", "Nair", "Gupta", "Singh", "Kumar", "Rao", "Menon",
         "Joshi", "Desai", "Kulkarni", "Chatterjee", "Banerjee", "Agarwal", "Pillai", "Mehta"),
        (C("Bengaluru", "Karnataka", "560###"), C("Pune", "Maharashtra", "411###"),
         C("Hyderabad", "Telangana", "500###"), C("Chennai", "Tamil Nadu", "600###"),
         C("Mumbai", "Maharashtra", "400###"), C("Noida", "Uttar Pradesh", "201###"),
         C("Kochi", "Kerala", "682###")),
        ("MG Road", "100 Feet Road", "Linking Road", "Anna Salai", "FC Road",
         "Sector 62 Main Road", "Residency Road", "Old Airport Road"),
        "{n}, {street}", ("Flat {u}", "Flat {u}, Block C"),
        ("49.36.0.0/14", "117.192.0.0/10", "106.192.0.0/11", "122.160.0.0/12"),
        ("rediffmail.com", "yahoo.co.in"), "in", "Pvt Ltd", "Hindi",
        ("IIT Bombay", "NIT Trichy", "VIT Vellore", "Anna University", "BITS Pilani"),
    ),
    Country(
        "PH", 5,
        ("Juan", "Mark", "John Paul", "Miguel", "Carlo", "Paolo", "Rafael", "Joshua"),
        ("Angelica", "Kristine", "Patricia", "Camille", "Bea", "Nicole", "Maria Clara"),
        ("Santos", "Reyes", "Cruz", "Bautista", "Ocampo", "Garcia", "Mendoza", "Torres",
         "Tomas", "Andrada", "Castillo", "Flores", "Villanueva", "Ramos", "Aquino", "dela Cruz"),
        (C("Quezon City", "Metro Manila", "11##"), C("Makati", "Metro Manila", "12##"),
         C("Cebu City", "Cebu", "60##"), C("Davao City", "Davao del Sur", "80##"),
         C("Pasig", "Metro Manila", "16##")),
        ("Rizal Street", "Mabini Street", "Katipunan Avenue", "Ayala Avenue",
         "Osmeña Boulevard", "J.P. Laurel Avenue", "Bonifacio Street"),
        "{n} {street}", ("Unit {u}",),
        ("49.144.0.0/13", "112.200.0.0/13"),
        ("yahoo.com",), "ph", "Inc.", "Filipino",
        ("University of the Philippines Diliman", "Ateneo de Manila University",
         "De La Salle University", "University of San Carlos"),
    ),
    Country(
        "UA", 6,
        ("Oleksandr", "Andrii", "Dmytro", "Serhii", "Maksym", "Volodymyr", "Yurii", "Taras"),
        ("Olena", "Iryna", "Nataliia", "Kateryna", "Oksana", "Yuliia", "Anastasiia", "Sofiia"),
        ("Kovalenko", "Shevchenko", "Bondarenko", "Tkachenko", "Kravchenko", "Melnyk", "Boiko",
         "Koval", "Oliinyk", "Lysenko", "Marchenko", "Rudenko", "Savchenko", "Moroz",
         "Polishchuk", "Hnatiuk"),
        (C("Kyiv", "Kyiv", "0####"), C("Lviv", "Lviv Oblast", "79###"),
         C("Kharkiv", "Kharkiv Oblast", "61###"), C("Dnipro", "Dnipropetrovsk Oblast", "49###"),
         C("Odesa", "Odesa Oblast", "65###"), C("Vinnytsia", "Vinnytsia Oblast", "21###")),
        ("vul. Khreshchatyk", "vul. Shevchenka", "vul. Franka", "prosp. Peremohy",
         "vul. Sumska", "vul. Deribasivska", "vul. Soborna"),
        "{street}, {n}", ("apt. {u}",),
        ("46.200.0.0/16", "176.36.0.0/14", "37.73.0.0/16"),
        ("ukr.net", "i.ua"), "com.ua", "LLC", "Ukrainian",
        ("Kyiv Polytechnic Institute", "Lviv Polytechnic",
         "Kharkiv National University of Radioelectronics"),
    ),
    Country(
        "RO", 4,
        ("Andrei", "Alexandru", "Mihai", "Ionuț", "Cristian", "Bogdan", "Radu", "Vlad"),
        ("Ioana", "Elena", "Andreea", "Maria", "Alexandra", "Diana", "Raluca", "Bianca"),
        ("Popescu", "Ionescu", "Popa", "Constantin", "Stan", "Dumitru", "Stoica", "Gheorghe",
         "Munteanu", "Rusu", "Matei", "Ciobanu", "Lungu", "Marin", "Moldovan", "Dobre"),
        (C("București", "București", "0#####"), C("Cluj-Napoca", "Cluj", "400###"),
         C("Iași", "Iași", "700###"), C("Timișoara", "Timiș", "300###"),
         C("Brașov", "Brașov", "500###")),
        ("Strada Victoriei", "Bulevardul Eroilor", "Strada Memorandumului",
         "Strada Lăpușneanu", "Bulevardul Revoluției", "Strada Republicii"),
        "{street} {n}", ("ap. {u}", "bl. A, ap. {u}"),
        ("86.120.0.0/13", "5.12.0.0/14"),
        ("yahoo.ro",), "ro", "SRL", "Romanian",
        ("Universitatea Politehnica București", "Universitatea Babeș-Bolyai",
         "Universitatea Tehnică din Cluj-Napoca"),
    ),
    Country(
        "AR", 5,
        ("Santiago", "Matías", "Juan Pablo", "Nicolás", "Tomás", "Facundo", "Agustín",
         "Federico", "Gonzalo"),
        ("Martina", "Valentina", "Camila", "Lucía", "Florencia", "Sofía", "Julieta"),
        ("González", "Rodríguez", "Gómez", "Fernández", "López", "Díaz", "Martínez", "Pérez",
         "Romero", "Sosa", "Álvarez", "Torres", "Ruiz", "Benítez", "Acosta", "Medina", "Herrera"),
        (C("Buenos Aires", "CABA", "14##"), C("Córdoba", "Córdoba", "50##"),
         C("Rosario", "Santa Fe", "20##"), C("Mendoza", "Mendoza", "55##"),
         C("La Plata", "Buenos Aires", "19##")),
        ("Av. Corrientes", "Av. Santa Fe", "Calle Florida", "Av. Cabildo", "Bv. Oroño",
         "Av. Colón", "Calle Defensa"),
        "{street} {n}", ("Piso {u}, Depto. B", "Piso {u}, Depto. A"),
        ("181.4.0.0/14", "181.8.0.0/13", "181.44.0.0/14"),
        ("hotmail.com", "yahoo.com.ar"), "com.ar", "S.A.", "Spanish",
        ("Universidad de Buenos Aires", "ITBA", "Universidad Nacional de Córdoba", "UTN"),
        two_surnames=True,
    ),
)}

# Laptop farms are rented houses in US suburbs (DOJ: 29 farms in 16 states).
FARM_CITIES = (
    C("Litchfield Park", "AZ", "85340", "623"), C("Murfreesboro", "TN", "37130", "615"),
    C("Bowie", "MD", "20715", "301"), C("Henderson", "NV", "89014", "702"),
    C("Lakewood", "NJ", "08701", "732"), C("Katy", "TX", "77449", "281"),
    C("Hillsboro", "OR", "97124", "503"), C("Kissimmee", "FL", "34741", "407"),
)

# Exits of commercial VPNs (from the X4BNet VPN list): a few popular exit addresses that
# unrelated honest users end up sharing, as they do in real life.
VPN_EXIT_BLOCKS = ("37.19.200.0/23", "84.17.48.0/23", "146.66.212.0/22", "45.137.76.0/22",
                   "2.58.44.0/22", "2.26.157.0/24")
# Hosting space the rings tunnel through: Astrill-registered /24s and cloud ranges.
RING_HOSTING_BLOCKS = ("104.140.119.0/24", "144.48.61.0/24", "208.110.84.0/24",
                       "216.155.131.0/24", "142.44.226.0/24", "159.89.0.0/16", "45.77.0.0/16")

DISPOSABLE_DOMAINS = ("mailinator.com", "guerrillamail.com", "sharklasers.com", "yopmail.com")

# (bank code, branch code, account digits) of real retail banks; IBAN.generate fills the rest.
IBAN_BANKS: dict[str, tuple[tuple[str, str, int], ...]] = {
    "DE": (("37040044", "", 10), ("10010010", "", 10), ("50010517", "", 10),
           ("12030000", "", 10)),
    "NL": (("ABNA", "", 10), ("INGB", "", 10), ("RABO", "", 10), ("BUNQ", "", 10)),
    "GB": (("NWBK", "601613", 8), ("BARC", "200000", 8), ("MIDL", "400515", 8),
           ("LOYD", "309634", 8), ("MONZ", "040004", 8), ("SRLG", "608371", 8)),
    "ES": (("2100", "0418", 10), ("0049", "1500", 10), ("0182", "2370", 10),
           ("0081", "0216", 10)),
    "PT": (("0007", "0000", 11), ("0035", "0697", 11), ("0033", "0000", 11)),
    "PL": (("10201026", "", 16), ("11602202", "", 16), ("10500099", "", 16),
           ("11402004", "", 16)),
    "RO": (("BTRL", "", 16), ("RNCB", "", 16), ("INGB", "", 16), ("BRDE", "", 16)),
    "UA": (("305299", "", 19), ("322001", "", 19), ("300465", "", 19)),
    "BE": (("001", "", 7), ("310", "", 7), ("063", "", 7), ("735", "", 7)),
    "LT": (("73000", "", 11), ("70440", "", 11), ("70700", "", 11)),
    "AE": (("033", "", 16), ("026", "", 16), ("035", "", 16)),
}
# Wise hands out local IBANs from its Belgian and British entities.
WISE_BANKS = {"BE": ("967", "", 7), "GB": ("TRWI", "231470", 8)}
# Where rings keep the accounts pay is routed to (THREATS C2: bank country ≠ residence).
RING_BANK_COUNTRIES = ("LT", "AE", "GB", "PL", "RO")
US_ROUTING = ("021000021", "026009593", "121000248", "021000089", "091000022", "043000096",
              "061000104", "071000013", "122000661", "322271627")
CA_INSTITUTIONS = ("001", "002", "003", "004", "010")
MX_BANKS = ("002", "012", "014", "072", "044", "021")
BR_BANKS = ("341", "237", "260", "001", "104")
IN_IFSC = ("HDFC0", "SBIN0", "ICIC0", "UTIB0", "KKBK0")
AR_BANKS = ("007", "011", "072", "017", "285")


# --- Resume phrase pools ------------------------------------------------------------------------

# family -> (title, languages and frameworks, tools and platforms)
FAMILIES: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "backend": ("Backend Engineer",
                ("Python", "Django", "FastAPI", "Go", "Java", "Spring Boot", "Node.js", "Kotlin",
                 "Ruby on Rails", "Elixir", "C#"),
                ("PostgreSQL", "MySQL", "Redis", "Kafka", "gRPC", "Docker")),
    "frontend": ("Frontend Developer",
                 ("React", "TypeScript", "Vue", "Angular", "Next.js", "Svelte"),
                 ("Redux", "Tailwind CSS", "Vite", "Storybook", "GraphQL", "Jest")),
    "fullstack": ("Full-Stack Developer",
                  ("TypeScript", "React", "Node.js", "Python", "Django", "Next.js",
                   "Ruby on Rails", "Vue"),
                  ("PostgreSQL", "GraphQL", "Docker", "Redis")),
    "devops": ("DevOps Engineer", ("Go", "Python", "Bash"),
               ("Kubernetes", "Terraform", "AWS", "GCP", "Azure", "Ansible", "Helm",
                "Prometheus", "Grafana", "Argo CD", "Linux")),
    "sre": ("Site Reliability Engineer", ("Go", "Python", "Rust"),
            ("Kubernetes", "Prometheus", "OpenTelemetry", "Terraform", "AWS", "Linux",
             "PostgreSQL", "Envoy")),
    "mobile": ("Mobile Developer",
               ("Swift", "SwiftUI", "Kotlin", "Jetpack Compose", "React Native", "Flutter",
                "Objective-C"),
               ("Firebase", "Fastlane", "Xcode", "Gradle")),
    "data": ("Data Engineer", ("Python", "SQL", "Scala", "Spark"),
             ("Airflow", "dbt", "Snowflake", "BigQuery", "Kafka", "Databricks", "Flink")),
    "ml": ("Machine Learning Engineer", ("Python", "PyTorch", "TensorFlow", "scikit-learn"),
           ("MLflow", "Kubeflow", "Spark", "ONNX", "Ray")),
    "qa": ("QA Automation Engineer", ("Python", "TypeScript", "Java"),
           ("Playwright", "Cypress", "Selenium", "pytest", "Postman", "k6")),
}
GENERAL_SKILLS = ("Git", "Docker", "Linux", "CI/CD", "SQL", "REST APIs", "Agile", "code review")

SUMMARIES = (
    "{Role} with {years} years of experience building {domain} software, mostly with {t1} "
    "and {t2}.",
    "I'm a {role} based in {city}. Over the last {years} years I have worked on {domain} "
    "products in teams of {small} to {team} people.",
    "Pragmatic {role} who enjoys {focus}. {years} years in industry across {njobs} companies.",
    "{years} years shipping {domain} systems; strongest in {t1}, {t2} and {t3}.",
    "Engineer from {city} focused on {focus}. I like owning a feature from the first sketch "
    "to production.",
    "Hands-on {role} ({years}+ years). I care about {value1} and {value2}.",
    "Curious {role} with a background in {background}, now {years} years into software.",
    "{Role}. Most of my career has been in {domain}, where {domain_note}.",
    "Product-minded {role} with {years} years of experience, comfortable with {t1}, {t2} "
    "and a fair amount of {t3}.",
    "Since {start_year} I have been building {domain} software as a {role}.",
    "Remote-first {role}; {years} years working with distributed teams across time zones.",
    "I build {focus_noun} for {domain} companies. {years} years of {t1}, lately also {t2}.",
)
JUNIOR_SUMMARIES = (
    "Junior {role} who finished a {program} in {grad_year}. Looking for a first full-time "
    "role.",
    "Recent graduate from {university}, eager to grow as a {role}.",
    "Career changer: {small} years in {prev_career}, now a {role} after a {program}.",
    "Early-career {role} with internship experience and a handful of shipped side projects.",
)
SECOND_SENTENCES = (
    "Looking for a remote team that values {value1}.",
    "Open to full-time or long-term contract work.",
    "Most of my work has been in small teams where everyone wears several hats.",
    "I enjoy mentoring and writing clear documentation.",
    "I overlap {small} hours a day with US Eastern time.",
    "Lately I have spent a lot of time on {topic}.",
    "I prefer boring, well-tested technology over shiny new tools.",
    "Outside work I contribute to open-source {oss}.",
    "I'm happiest when I can talk to users directly.",
    "Comfortable leading small projects and working with non-technical stakeholders.",
    "I have worked both in start-ups and in larger regulated companies.",
    "I write a lot of tests and like fast feedback loops.",
    "Strong believer in code review as a teaching tool.",
    "Interested in roles with real ownership of a product area.",
)
BULLETS = (
    "Migrated {legacy} to {tech}, cutting p95 latency by {pct}%.",
    "Built the {obj} service behind {n}k daily active users.",
    "Led {small} engineers through the rewrite of {obj}.",
    "Introduced {ci}; deploys went from {t1} minutes to {t2}.",
    "Designed an event pipeline on {stream} processing {n} million events a day.",
    "Rewrote the {obj} screens in {tech} and cut bundle size by {pct}%.",
    "Owned on-call for {obj}, wrote the runbooks and halved the pager load.",
    "Added contract tests between {small} services with Pact.",
    "Worked with product and design on the {obj} redesign, from discovery to launch.",
    "Reduced cloud spend by {pct}% by right-sizing the {cloud} workloads.",
    "Automated {process} with {ci}, saving roughly {small} hours a week.",
    "Mentored {small} junior developers and ran a weekly code-review clinic.",
    "Shipped offline support for the {obj} app using {tech}.",
    "Maintained the public {tech} SDK and its documentation for {n} integrators.",
    "Tracked down a data-loss bug in {obj} replication and added regression tests.",
    "Split a {tech} monolith into {small} services without downtime.",
    "Built internal tooling in {tech} that the support team uses every day.",
    "Set up {obs} dashboards and alerts for {obj}; time to recovery dropped by {pct}%.",
    "Implemented role-based access control for {obj}.",
    "Cut test-suite time from {t1} to {t2} minutes by parallelising the {ci} runs.",
    "Integrated {small} third-party payment and shipping providers.",
    "Wrote the design doc for, and led, the migration to {tech}.",
    "Improved the accessibility of {obj} to WCAG 2.1 AA.",
    "Built a feature-flag system used by {small} product teams.",
    "Reworked the {obj} data model, removing {pct}% of duplicate records.",
    "Took {obj} from prototype to general availability in {small} months.",
    "Added caching with {cache} and cut database load by {pct}%.",
    "Introduced typed APIs with {api} across {small} teams.",
    "Handled data-export and deletion requests end to end for {obj}.",
    "Built ETL jobs in {tech} feeding the finance team's reporting.",
    "Moved infrastructure to {cloud} with {iac}, codifying {n} resources.",
    "Created the release process for the mobile apps, now weekly instead of monthly.",
    "Profiled {obj} queries; the slowest endpoint is now {pct}% faster.",
    "Kept {small} legacy integrations running while the new platform rolled out.",
    "Partnered with data science to put {obj} models into production.",
    "Wrote the onboarding guide that new hires still use.",
    "Built search over {n} million documents with {search}.",
    "Replaced nightly batch jobs with streaming updates on {stream}.",
    "Added end-to-end tests with {e2e} for the {obj} flows.",
    "Designed the multi-tenant architecture for {obj}.",
    "Brought the crash rate of the {obj} app below 0.{small}%.",
    "Built A/B testing support that product used for {n} experiments.",
    "Cleaned up the {obj} permissions model after a security review.",
    "Paired with support to fix the top {small} customer complaints about {obj}.",
)
PROJECT_BULLETS = (
    "Built a {thing} with {t1} and {t2}; {n} people used the public beta.",
    "Contributed {small} merged pull requests to an open-source {oss} project.",
    "Final-year project: {capstone}, written in {t1}.",
    "Wrote a {thing} in {t1} to learn {t2}; the source is on GitHub.",
    "Deployed a {thing} on {cloud} with a CI pipeline and automated tests.",
    "Volunteered on the website of a local {charity}, using {t1}.",
    "Built a REST API for a {thing} in {t1}, with tests and OpenAPI docs.",
    "Ran a study group on {topic} at {university}.",
    "Teaching assistant for an introductory programming course; graded {n} assignments.",
    "Hackathon: built a {thing} with {small} teammates in 48 hours and won the {prize} prize.",
    "Fixed a bug in an open-source {oss} library with a mentor, from issue to merged change.",
)
WORDS = {
    "domain": ("fintech", "logistics", "healthcare", "e-commerce", "edtech", "travel", "media",
               "insurance", "real-estate", "gaming", "HR", "energy", "agritech",
               "public-sector", "marketplace", "analytics"),
    "obj": ("checkout", "billing", "search", "notifications", "onboarding", "reporting",
            "inventory", "routing", "scheduling", "reconciliation", "recommendations", "identity",
            "pricing", "dashboard", "claims", "booking", "catalogue", "messaging"),
    "legacy": ("a PHP monolith", "a jQuery front end", "cron scripts", "an on-prem Oracle "
               "database", "hand-written shell deploys", "a Python 2 codebase", "AngularJS",
               "a Rails 4 app", "Excel-based reports"),
    "ci": ("GitHub Actions", "GitLab CI", "Jenkins", "CircleCI", "Buildkite"),
    "obs": ("Grafana", "Datadog", "New Relic", "Sentry", "Honeycomb"),
    "process": ("release notes", "database backups", "customer onboarding", "invoice "
                "reconciliation", "certificate renewal", "test data setup", "dependency updates"),
    "cache": ("Redis", "Memcached", "a CDN"),
    "api": ("OpenAPI", "GraphQL", "gRPC", "tRPC"),
    "cloud": ("AWS", "GCP", "Azure"),
    "iac": ("Terraform", "Pulumi", "CloudFormation"),
    "search": ("Elasticsearch", "OpenSearch", "PostgreSQL full-text search", "Typesense"),
    "stream": ("Kafka", "Kinesis", "Pub/Sub", "RabbitMQ"),
    "e2e": ("Playwright", "Cypress", "Detox", "Selenium"),
    "focus": ("performance work", "developer experience", "reliable data pipelines",
              "clean APIs", "accessible interfaces", "observability", "incident response",
              "automated testing", "cost-efficient infrastructure", "data modelling"),
    "focus_noun": ("APIs", "internal tools", "data platforms", "customer-facing web apps",
                   "mobile apps", "deployment pipelines"),
    "value": ("code review", "written communication", "ownership", "a sustainable pace",
              "testing", "simplicity", "psychological safety", "learning time"),
    "background": ("physics", "mechanical engineering", "economics", "music", "teaching",
                   "customer support", "biology", "graphic design", "accounting"),
    "domain_note": ("uptime and correctness matter more than speed",
                    "compliance shaped most technical decisions", "traffic is very seasonal",
                    "data quality was the main challenge", "small teams ship a lot"),
    "topic": ("observability", "database migrations", "type-safe APIs", "CI speed",
              "accessibility", "infrastructure as code", "streaming data", "LLM-based tooling"),
    "oss": ("Python", "Django", "React", "Terraform", "Kotlin", "documentation"),
    "program": ("coding bootcamp", "computer-science degree", "two-year software development "
                "programme", "online CS programme"),
    "prev_career": ("retail", "teaching", "logistics", "hospitality", "accounting", "nursing"),
    "thing": ("budget tracker", "recipe planner", "bike-sharing availability map",
              "habit-tracking app", "chat bot for a student society", "timetable scraper",
              "small multiplayer game", "markdown note-taking app",
              "air-quality monitor on a Raspberry Pi"),
    "capstone": ("a room-booking system for the faculty", "a route planner for a local courier",
                 "sentiment analysis of product reviews", "an accessible campus map",
                 "an inventory app for a food bank"),
    "prize": ("people's choice", "best design", "sustainability", "best use of data"),
    "charity": ("food bank", "animal shelter", "youth football club", "community garden"),
    "hobby": ("trail running", "cycling", "climbing", "chess", "board games", "photography",
              "woodworking", "baking sourdough", "football", "volunteering at a code club",
              "birdwatching", "sailing", "piano", "hiking", "amateur astronomy", "gardening",
              "swimming", "mechanical keyboards", "language learning", "3D printing"),
    "degree": ("BSc in Computer Science", "BEng in Software Engineering",
               "MSc in Computer Science", "BSc in Information Systems", "BSc in Mathematics",
               "BSc in Electrical Engineering"),
    "cert": ("AWS Certified Solutions Architect – Associate", "Certified Kubernetes "
             "Administrator", "Google Professional Data Engineer", "Professional Scrum Master I",
             "Azure Developer Associate"),
    "company_a": ("Harbor", "Cobalt", "Brightline", "Lumen", "Northwind", "Bluefin", "Juniper",
                  "Kestrel", "Meridian", "Oakridge", "Pinecone", "Quarry", "Redwood", "Saltmarsh",
                  "Tidewater", "Upland", "Vantage", "Willow", "Alder", "Beacon", "Copperleaf",
                  "Driftwood", "Ember", "Fieldstone", "Granite", "Helix", "Ironbark", "Lantern"),
    "company_b": ("Labs", "Systems", "Health", "Software", "Analytics", "Payments", "Logistics",
                  "Digital", "Technologies", "Media", "Insurance", "Mobility", "Commerce",
                  "Learning", "Energy", "Cloud"),
}
SECTION_NAMES = {
    "summary": ("Summary", "Profile", "About me", "About"),
    "experience": ("Experience", "Work experience", "Employment", "Professional experience"),
    "skills": ("Skills", "Tech stack", "Technologies", "Tools"),
    "education": ("Education",),
    "projects": ("Projects", "Side projects", "Selected projects"),
}
BULLET_MARKS = ("- ", "• ", "* ", "")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
RESUME_WORDS = (150, 400)

# A ring's template resume is re-used with the name swapped and a few of these words edited.
TEMPLATE_EDITS = {
    "built": "developed", "led": "headed", "designed": "architected", "reduced": "lowered",
    "improved": "boosted", "wrote": "authored", "added": "introduced", "owned": "ran",
    "worked": "collaborated", "strongest": "strong", "cut": "trimmed", "shipped": "delivered",
    "experience": "background", "products": "applications", "teams": "squads",
    "mostly": "mainly", "lately": "recently", "created": "set up",
}

EDITABLE_WORD = re.compile(r"\b(" + "|".join(TEMPLATE_EDITS) + r")\b", re.IGNORECASE)

# Tactics a ring member may use (THREATS B1, B2, B4, C1, C2, D1, D2, E1, F1, F2, A2), with the
# share of rings that use each at all: the public cases show laptop farms and shared payout
# accounts in most operations, disposable mailboxes and crypto salaries in fewer. Drawn in
# this fixed order (never iterate a set: string hashing is salted per process).
TACTICS: dict[str, tuple[str, float]] = {
    "laptop_farm": ("laptop-farm shipping", 0.8),
    "shared_phone": ("shared phone", 0.7),
    "voip_phone": ("VoIP phone", 0.5),
    "shared_payout": ("shared payout account", 0.7),
    "foreign_bank": ("bank abroad", 0.5),
    "crypto": ("crypto payout", 0.35),
    "template_resume": ("templated resume", 0.6),
    "persona_email": ("persona-style email", 0.7),
    "disposable_email": ("disposable email", 0.25),
    "hosting_ip": ("hosting/VPN IP", 0.7),
    "farm_ip": ("laptop-farm IP", 0.5),
    "new_github": ("new GitHub account", 0.6),
}
# Tactics that link members to each other; every ring has one that at least two members use.
CORE_TACTICS = ("laptop_farm", "shared_phone", "shared_payout", "template_resume")
MAIN_ROLE = (("laptop_farm", "laptop-farm member"), ("shared_payout", "shared-payout member"),
             ("template_resume", "templated persona"), ("shared_phone", "shared-phone persona"))

# (name, share of honest applicants, group size): the honest look-alikes of the red flags.
HONEST_MIX = (
    ("vpn", 0.08, 1), ("junior", 0.08, 1), ("traveller", 0.05, 1), ("freelancer", 0.08, 1),
    ("roommates", 0.06, 2), ("shared_ip", 0.06, 2), ("parents", 0.05, 1),
    ("immigrant", 0.06, 1), ("holder_variant", 0.06, 1),
)


# Employers: a share of jobs at a few large employers, the rest at small companies whose
# names are drawn from company_a x SMALL_COMPANY_TAILS x company_b.
LARGE_EMPLOYER_SHARE = 0.3
LARGE_EMPLOYERS = ("Northwind Global Services", "Meridian Consulting Group",
                   "Cobalt Systems International", "Redwood Bank", "Juniper Telecom",
                   "Lumen Retail Group")
SMALL_COMPANY_TAILS = ("", "wave", "point", "stack", "works", "gate", "path", "forge", "field",
                       "line", "view", "bridge", "port", "stone", "light", "craft", "ware",
                       "soft", "base", "hub", "nest", "loop", "spring", "mark", "grid", "leaf",
                       "shore", "crest", "peak", "way")
# Issue 10's confounders: (group, share of the honest count, people per group).
HARD_CONFOUNDERS = (
    ("duplicate", 0.03, 1), ("joint couple", 0.03, 2), ("relocated, national-format phone",
                                                         0.02, 1),
    ("co-working IP", 0.02, 5), ("nomad on VPN with payout service", 0.04, 1),
    ("late GitHub joiner", 0.05, 1),
)
HARD_TACTICS = ("paraphrased template", "quiet persona", "front company", "known-bad reuse")
# Front companies are shells with names no real employer pool produces twice.
FRONT_WORDS = ("Zentrix", "Quorvane", "Altheon", "Brixel", "Caldora", "Veltrum", "Nexiva",
               "Orbanex", "Tryvent", "Solvaris", "Kyntra", "Praxion")
FRONT_SUFFIX = ("Solutions LLC", "Tech LLC", "Digital Inc.", "Software Group LLC")
# Designations of the OFAC SDN list's North Korea programmes (demo/data/sanctions/SDN.CSV, a
# sample of the real list): the identities the demo's sanctioned personas present. A person's
# name as an ATS writes it (given name first), an employer under the alias the list gives,
# a payout account held by a designated front, a wallet address the list names.
SANCTIONED = (
    ("name", ("Chol Min", "Myong")),  # MYONG, Chol Min (DPRK4)
    ("employer", "Jinyong IT Cooperation Company"),  # a.k.a. of CHINYONG ... (DPRK2)
    ("holder", "Pioneer Bencont Star Real Estate"),  # DPRK2, linked to Chinyong
    ("wallet", "0x97b1043abd9e6fc31681635166d430a458d14f9c"),  # KIM, Sang Man (DPRK4), ETH
)
# Astrill-registered /24s (the first of RING_HOSTING_BLOCKS).
ASTRILL_BLOCKS = ("104.140.119.0/24", "144.48.61.0/24", "208.110.84.0/24", "216.155.131.0/24")
QUIET_SIGNALS = ("astrill", "new_github", "voip", "payout")


# --- Small pure helpers -----------------------------------------------------------------------

_TRANSLIT = str.maketrans({"ł": "l", "Ł": "L", "ß": "ss", "ø": "o", "æ": "ae", "đ": "d",
                           "ı": "i", "ș": "s", "ț": "t"})


def plain_text(text: str) -> str:
    """Without accents ("Łukasz Wójcik" -> "Lukasz Wojcik"), as some banks print names."""
    text = unicodedata.normalize("NFKD", text.translate(_TRANSLIT))
    return "".join(c for c in text if not unicodedata.combining(c))


def ascii_word(text: str) -> str:
    """Lower-case ASCII letters and digits only: what names become in emails and handles."""
    return "".join(c for c in plain_text(text).lower() if c.isascii() and c.isalnum())


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _month_text(index: int) -> str:
    """A month index (year * 12 + month - 1) as the YYYY-MM the ATS contract accepts."""
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _clabe_check(digits: str) -> str:
    """Mexican CLABE check digit (weights 3, 7, 1)."""
    total = sum(int(d) * (3, 7, 1)[i % 3] % 10 for i, d in enumerate(digits))
    return str((10 - total % 10) % 10)


def _cbu_check(digits: str, weights: tuple[int, ...]) -> str:
    """Argentine CBU block check digit."""
    total = sum(int(d) * weights[i % len(weights)] for i, d in enumerate(reversed(digits)))
    return str((10 - total % 10) % 10)


@dataclass
class _Person:
    first: str
    last: str  # "García Navarro", "de Jong"
    family: str  # the surname used on its own: "García", "de Jong"
    country: Country
    city: City
    female: bool

    @property
    def full_name(self) -> str:
        return f"{self.first} {self.last}"


@dataclass
class _Career:
    family: str
    years: int
    jobs: list[dict]  # employment_history entries, newest first
    start_month: int  # month index the career began


@dataclass
class _Ring:
    number: int
    facilitator: str
    odds: dict[str, float]
    farm: dict
    farm_ip: str
    hosting_ips: list[str]
    phones: list[str]
    payout: dict
    wallet: str
    career: _Career
    template_city: str
    template_body: str
    window_start: datetime
    phone_users: int = 0


# --- The generator ----------------------------------------------------------------------------


def demo_population(*, seed: int = 7, honest: int = 300, rings: int = 6,
                    hard: bool = False, sanctioned: bool = False) -> list[DemoApplicant]:
    """`honest` honest applicants plus `rings` fraud rings of 3 to 10 members each, in the order
    an ATS would send them (by application time), with external ids rising in that order.

    With `hard`, the confounders and tactics of issue 10 are added (HARD_CONFOUNDERS, in
    proportion to `honest`, and one of each HARD_TACTICS): duplicates of one person, couples
    with a joint account, relocated applicants whose phone is written the way it is at home,
    co-working IPs, nomads on VPNs with payout services, late GitHub joiners; paraphrased
    templates, quiet personas, front companies, identifiers of rejected fraud reused. Some of
    their payloads (the national-format phones) do not pass the ATS contract yet: the
    evaluation counts them as rejected for evidence quality. Without `hard` a seed gives
    the same population as before they existed.

    With `sanctioned`, one applicant per kind of sanctions hit is added (SANCTIONED: a name,
    an employer, an account holder and a wallet of the OFAC SDN sample that seed_demo
    imports), so that the demo shows every kind of flag. They come last from the random
    source: without `sanctioned` a seed gives the same population as before they existed.
    """
    if honest < 0 or rings < 0:
        raise ValueError("honest and rings must not be negative")
    generator = _Generator(random.Random(seed))
    applicants = generator.honest_applicants(honest)
    for number in range(1, rings + 1):
        applicants += generator.ring_members(number)
    if hard:
        applicants += generator.hard_cases(honest, first_ring=rings + 1)
    if sanctioned:
        applicants += generator.sanctioned_personas()
    applicants.sort(key=lambda a: a.payload["applied_at"])
    generator.assign_external_ids(applicants)
    return applicants


class _Generator:
    """Holds the one random source and what has been handed out, so that identifiers are
    unique unless a persona shares them on purpose."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.vpn_exits: list[str] = []
        self.shared_ip_pairs = 0
        # Each ring is linkable through one of these; rotating them puts every kind of ring
        # on show once there are four rings.
        self.core_tactics = rng.sample(CORE_TACTICS, len(CORE_TACTICS))
        self.used: dict[str, set[str]] = {
            kind: set() for kind in ("name", "email", "phone", "handle", "linkedin", "ip",
                                     "address", "account", "domain")
        }

    def _claim(self, kind: str, value: str) -> bool:
        """Reserve a value; False when it is already taken."""
        if value in self.used[kind]:
            return False
        self.used[kind].add(value)
        return True

    def _pick(self, options):
        return options[self.rng.randrange(len(options))]

    def _weighted(self, options: dict):
        return self.rng.choices(list(options), weights=list(options.values()))[0]

    # --- People and places ------------------------------------------------------------------

    def _country(self) -> Country:
        return self._weighted({c: c.weight for c in COUNTRIES.values()})

    def _person(self, country: Country) -> _Person:
        for _ in range(200):
            female = self.rng.random() < 0.45
            first = self._pick(country.female if female else country.male)
            family = self._pick(country.surnames)
            if country.code == "PL" and female and family.endswith(("ski", "cki")):
                family = family[:-1] + "a"  # Polish surnames agree in gender: Kowalska
            last = family
            if country.two_surnames and self.rng.random() < 0.5:
                last = f"{family} {self._pick(country.surnames)}"
            if self._claim("name", f"{first} {last}"):
                return _Person(first, last, family, country, self._pick(country.cities), female)
        raise RuntimeError(f"ran out of names for {country.code}")

    def _digits(self, pattern: str) -> str:
        letters = "ABEGHJLNPRSTWXYZ"  # valid in both Canadian and British postcodes
        return "".join(
            str(self.rng.randrange(10)) if ch == "#" else self._pick(letters) if ch == "?" else ch
            for ch in pattern
        )

    def _address(self, kind: str, country: Country, city: City) -> dict:
        """A fresh street address in the city, never handed out before."""
        for _ in range(100):
            top = 9800 if country.code == "US" else 250  # US house numbers run long
            line1 = country.line1.format(n=self.rng.randint(1, top),
                                         street=self._pick(country.streets))
            line2 = ""
            if country.units and self.rng.random() < 0.45:
                line2 = self._pick(country.units).format(u=self.rng.randint(1, 40))
            address = {"kind": kind, "line1": line1, "line2": line2, "city": city.name,
                       "region": city.region, "postal_code": self._digits(city.postal),
                       "country": country.code}
            if self._claim("address", _address_key(address)):
                return address
        raise RuntimeError("ran out of addresses")

    def _variant(self, address: dict, kind: str) -> dict:
        """The same address as someone else types it ("Street"/"St", "Apt"/"Apartment")."""
        spelled = {}
        for name in ("line1", "line2"):
            words = address[name].split()
            spelled[name] = " ".join(self._respell(w) for w in words)
        return address | spelled | {"kind": kind}

    def _respell(self, word: str) -> str:
        folded = word.lower().rstrip(".")
        short = normalize.ADDRESS_WORDS.get(folded)
        if short and self.rng.random() < 0.6:
            return short.capitalize() + ("." if self.rng.random() < 0.3 else "")
        longer = [w for w, s in normalize.ADDRESS_WORDS.items() if s == folded and w != folded
                  and len(w) > 3]
        if longer and self.rng.random() < 0.6:
            return self._pick(sorted(longer)).capitalize()
        return word

    def _ip(self, blocks: tuple[str, ...] | list[str]) -> str:
        network = ipaddress.ip_network(self._pick(blocks))
        for _ in range(100):
            address = network[self.rng.randrange(1, network.num_addresses - 1)]
            if str(address).rsplit(".", 1)[1] not in ("0", "255") and self._claim(
                "ip", str(address)
            ):
                return str(address)
        raise RuntimeError("ran out of IP addresses")

    def _ip_seen(self, ip: str, source: str, moment: datetime) -> dict:
        return {"ip": ip, "source": source, "observed_at": _iso(moment)}

    def _applied_at(self) -> datetime:
        return BASE_DATE - timedelta(seconds=self.rng.randrange(APPLICATION_WINDOW_DAYS * 86400))

    def _interview_time(self, applied: datetime) -> datetime:
        later = applied + timedelta(days=self.rng.randint(3, 20), hours=self.rng.randint(0, 8))
        return min(later, BASE_DATE)

    # --- Contact details --------------------------------------------------------------------

    def _phone(self, region: str, area_code: str = "", *, voip: bool = False) -> str:
        """A valid number built from the region's example number with its last digits varied."""
        kind = PhoneNumberType.VOIP if voip else PhoneNumberType.MOBILE
        example = phonenumbers.example_number_for_type(region, kind)
        national = str(example.national_number)
        if area_code:
            national = area_code + national[len(area_code):]
        varied = 7 if area_code else 5  # NANP: exchange and line; elsewhere the subscriber part
        for _ in range(200):
            digits = national[:-varied] + "".join(
                str(self.rng.randrange(10)) for _ in range(varied))
            number = phonenumbers.parse(f"+{example.country_code}{digits}")
            if not phonenumbers.is_valid_number(number):
                continue
            if voip and phonenumbers.number_type(number) != PhoneNumberType.VOIP:
                continue
            e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
            if self._claim("phone", e164):
                style = PhoneNumberFormat.INTERNATIONAL if self.rng.random() < 0.7 else (
                    PhoneNumberFormat.E164)
                return phonenumbers.format_number(number, style)
        raise RuntimeError(f"ran out of phone numbers for {region}")

    def _honest_email(self, person: _Person) -> str:
        first, last = ascii_word(person.first), ascii_word(person.family)
        initial = first[0]
        for attempt in range(50):
            local = self._weighted({
                f"{first}.{last}": 35, f"{first}{last}": 12, f"{initial}{last}": 12,
                f"{first}_{last}": 5, f"{last}.{first}": 5, f"{initial}.{last}": 6,
                f"{first}{last}{self.rng.randint(70, 99)}": 5,
                f"{first}.{last}{self.rng.randint(1, 99):02d}": 2,
                f"{initial}{self._pick('abcdefghjklmnprstw')}{last}": 5,
            })
            if attempt:
                local += str(self.rng.randint(2, 9))
            domain = self._email_domain(person, first, last)
            if self._claim("email", normalize.canonical_email(f"{local}@{domain}")):
                return f"{local}@{domain}"
        raise RuntimeError("ran out of email addresses")

    def _email_domain(self, person: _Person, first: str, last: str) -> str:
        choice = self._weighted({"gmail": 40, "outlook": 10, "hotmail": 5, "proton": 8,
                                 "local": 20, "own": 12})
        if choice == "local":
            return self._pick(person.country.webmail)
        if choice == "own":
            domain = self._pick((f"{first}{last}.{person.country.tld}", f"{last}.dev",
                                 f"{first}{last}.io", f"{first}-{last}.com"))
            if self._claim("domain", domain):
                return domain
        return {"outlook": "outlook.com", "hotmail": "hotmail.com",
                "proton": "proton.me"}.get(choice, "gmail.com")

    def _persona_email(self, person: _Person, *, disposable: bool) -> str:
        """The mass-produced pattern (THREATS B4): firstnamelastname plus 2-4 digits."""
        first, last = ascii_word(person.first), ascii_word(person.family)
        for _ in range(50):
            digits = str(self.rng.randint(10, 9999))
            local = self._pick((f"{first}{last}{digits}", f"{first}.{last}{digits}",
                                f"{first}{last}dev{digits[:2]}"))
            domain = self._pick(DISPOSABLE_DOMAINS if disposable else
                                ("gmail.com", "outlook.com", "hotmail.com"))
            if self._claim("email", normalize.canonical_email(f"{local}@{domain}")):
                return f"{local}@{domain}"
        raise RuntimeError("ran out of persona emails")

    def _handle(self, person: _Person) -> str:
        first, last = ascii_word(person.first), ascii_word(person.last)
        for attempt in range(50):
            handle = self._pick((f"{first}{last}", f"{first[0]}{last}", f"{first}-{last}",
                                 f"{first}{last[0]}", f"{last}{first[0]}", f"{first}-codes",
                                 f"{first}{last}-dev", f"{last}-{first}"))
            if attempt:
                handle += str(self.rng.randint(1, 99))
            if self._claim("handle", handle):
                return handle
        raise RuntimeError("ran out of handles")

    def _profiles(self, person: _Person, handle: str, github_created: datetime | None,
                  career_start: int, *, github: bool) -> list[dict]:
        profiles = []
        if github:
            url = self._pick((f"https://github.com/{handle}", f"github.com/{handle}",
                              f"https://www.github.com/{handle}/"))
            profiles.append({"network": "github", "url": url,
                             "created_at": _iso(github_created) if github_created else None})
        if self.rng.random() < 0.8:
            profiles.append(self._linkedin(person, career_start))
        if github and self.rng.random() < 0.08:
            profiles.append({"network": "portfolio", "url": f"https://{handle}.github.io"})
        return profiles

    def _linkedin(self, person: _Person, career_start: int) -> dict:
        first, last = ascii_word(person.first), ascii_word(person.last)
        for _ in range(50):
            slug = self._pick((f"{first}-{last}", f"{first}{last}",
                               f"{first}-{last}-{self.rng.randrange(16**6):06x}",
                               f"{first[0]}{last}"))
            if self._claim("linkedin", slug):
                break
        else:
            raise RuntimeError("ran out of LinkedIn slugs")
        url = self._pick((f"https://www.linkedin.com/in/{slug}/", f"linkedin.com/in/{slug}"))
        profile = {"network": "linkedin", "url": url}
        if self.rng.random() < 0.4:
            joined = max(career_start + self.rng.randint(-12, 12), 2005 * 12)
            # A career that starts this year must not give a join date in the future (the
            # API refuses those): at the latest the month before BASE_DATE, still "young".
            joined = min(joined, BASE_DATE.year * 12 + BASE_DATE.month - 2)
            profile["created_at"] = _iso(datetime(joined // 12, joined % 12 + 1, 1, tzinfo=UTC))
        return profile

    def _github_created(self, career_start: int, applied: datetime) -> datetime:
        """An account opened around the start of the career (GitHub launched in April 2008)."""
        month = max(career_start + self.rng.randint(-30, 18), 2008 * 12 + 4)
        month = min(month, applied.year * 12 + applied.month - 1 - 12)
        return datetime(month // 12, month % 12 + 1, self.rng.randint(1, 28), tzinfo=UTC)

    # --- Money ------------------------------------------------------------------------------

    def _iban(self, country: str, bank: tuple[str, str, int] | None = None) -> str:
        """A valid IBAN at a real bank of the country.

        Checked with the national check digits too (stricter than the API), so that any IBAN
        validator accepts it; German banks each have their own account-number check, which
        only about one random account number in ten passes, hence the many draws.
        """
        bank_code, branch, digits = bank or self._pick(IBAN_BANKS[country])
        for _ in range(300):
            account = str(self.rng.randrange(10 ** (digits - 1), 10 ** digits))
            try:
                iban = IBAN.generate(country, bank_code=bank_code, branch_code=branch,
                                     account_code=account)
                IBAN(iban.compact, validate_bban=True)
            except ValueError:  # schwifty's errors are ValueErrors
                continue
            if self._claim("account", iban.compact):
                return iban.formatted if self.rng.random() < 0.6 else iban.compact
        raise RuntimeError(f"could not generate an IBAN for {country}")

    def _bank_account(self, country: str, holder: str) -> dict:
        """An account at a bank of `country` in the holder's name."""
        if country in IBAN_BANKS:
            account = {"method": "bank", "iban": self._iban(country)}
            if self.rng.random() < 0.5:
                account["bank_country"] = country
        else:
            account = {"method": "bank", "bank_country": country} | self._domestic(country)
        return account | {"holder_name": holder}

    def _domestic(self, country: str) -> dict:
        """Account (and routing) numbers of countries without IBANs."""
        r = self.rng
        if country == "US":
            return {"routing_number": self._pick(US_ROUTING),
                    "account_number": str(r.randrange(10**8, 10**12))}
        if country == "CA":
            return {"routing_number": f"0{self._pick(CA_INSTITUTIONS)}{r.randrange(10**5):05d}",
                    "account_number": f"{r.randrange(10**6, 10**7)}"}
        if country == "MX":
            body = f"{self._pick(MX_BANKS)}{r.randrange(1000):03d}{r.randrange(10**11):011d}"
            return {"account_number": body + _clabe_check(body)}
        if country == "BR":
            return {"routing_number": f"{self._pick(BR_BANKS)}-{r.randrange(10**4):04d}",
                    "account_number": f"{r.randrange(10**4, 10**8)}-{r.randrange(10)}"}
        if country == "IN":
            return {"routing_number": f"{self._pick(IN_IFSC)}{r.randrange(10**6):06d}",
                    "account_number": str(r.randrange(10**10, 10**14))}
        if country == "AR":
            return {"account_number": self._cbu()}
        return {"account_number": str(r.randrange(10**9, 10**12))}  # PH and the rest

    def _cbu(self) -> str:
        first = f"{self._pick(AR_BANKS)}{self.rng.randrange(10**4):04d}"
        second = f"{self.rng.randrange(10**13):013d}"
        return (first + _cbu_check(first, (3, 1, 7, 9)) + second
                + _cbu_check(second, (3, 1, 7, 9)))

    def _wallet(self) -> str:
        """An Ethereum-style address (USDT/USDC salaries travel on such chains)."""
        return "0x" + "".join(self._pick("0123456789abcdef") for _ in range(40))

    # --- Careers and resumes ----------------------------------------------------------------

    def _career(self, country: str, *, years: int, jobs: int,
                current: bool | None = None) -> _Career:
        """`jobs` back-to-back jobs adding up to about `years` years, newest first."""
        family = self._pick(tuple(FAMILIES))
        total = max(years * 12 + self.rng.randint(-5, 5), 3 * jobs, 0)
        if current is None:
            current = self.rng.random() < 0.8
        end = BASE_MONTH if current else BASE_MONTH - self.rng.randint(1, 5)
        weights = [self.rng.uniform(0.5, 1.5) for _ in range(jobs)]
        spans = []
        for weight in weights:  # walking back in time from the most recent job
            length = max(3, round(total * weight / sum(weights)))
            start = min(end - length, BASE_MONTH - 2)
            spans.append((start, end))
            end = start - self.rng.randint(0, 3)
        career_start = spans[-1][0] if spans else BASE_MONTH - total
        entries = [{
            "employer": self._employer(country),
            "title": self._title(family, (min(stop, BASE_MONTH) - career_start) / 12),
            "start": _month_text(begin),
            "end": None if stop == BASE_MONTH else _month_text(stop),
            "country": country,
        } for begin, stop in spans]
        return _Career(family, years, entries, career_start)

    def _employer(self, country: str) -> str:
        """A large employer many applicants have worked for (a few names), or one of the
        many small ones (a real pool has thousands: three unrelated applicants rarely name
        the same small company, which is what makes a shared front company stand out)."""
        suffix = COUNTRIES[country].company_suffix
        if self.rng.random() < LARGE_EMPLOYER_SHARE:
            return self._pick(LARGE_EMPLOYERS)
        return (f"{self._pick(WORDS['company_a'])}{self._pick(SMALL_COMPANY_TAILS)} "
                f"{self._pick(WORDS['company_b'])} {suffix}")

    def _title(self, family: str, experience: float) -> str:
        """The title someone with `experience` years by the end of the job would hold."""
        base = FAMILIES[family][0]
        if experience < 2:
            return f"Junior {base}"
        if experience < 5:
            return base
        if experience < 9 or self.rng.random() < 0.5:
            return f"Senior {base}"
        return f"Lead {base}"

    def _position(self, career: _Career) -> str:
        base = FAMILIES[career.family][0]
        if career.years <= 1:
            return f"Junior {base}"
        return f"Senior {base}" if career.years >= 6 else base

    def _fill(self, template: str, person: _Person, career: _Career) -> str:
        """Fill a phrase template; each slot it has gets a fresh random value."""
        slots = [name for _, name, _, _ in string.Formatter().parse(template) if name]
        values: dict[str, object] = {}
        if "{t1} minutes" in template or "from {t1} to {t2}" in template:
            values = {"t1": self.rng.randint(15, 60), "t2": self.rng.randint(3, 12)}
        elif "{t1}" in template:  # three different technologies of the stack
            _, languages, tools = FAMILIES[career.family]
            values = dict(zip(("t1", "t2", "t3"), self.rng.sample(languages + tools, 3)))
        for slot in slots:
            if slot not in values:
                values[slot] = self._slot(slot, person, career)
        return template.format(**values)

    def _slot(self, slot: str, person: _Person, career: _Career) -> object:
        if slot in WORDS:
            return self._pick(WORDS[slot])
        title, languages, _ = FAMILIES[career.family]
        return {
            "tech": lambda: self._pick(languages),
            "role": lambda: _role(title),
            "Role": lambda: _role(title)[0].upper() + _role(title)[1:],
            "years": lambda: career.years,
            "city": lambda: person.city.name,
            "njobs": lambda: max(1, len(career.jobs)),
            "small": lambda: self.rng.randint(2, 6),
            "team": lambda: self.rng.randint(8, 40),
            "pct": lambda: self.rng.randint(12, 70),
            "n": lambda: self.rng.randint(3, 900),
            "value1": lambda: self._pick(WORDS["value"]),
            "value2": lambda: self._pick(WORDS["value"]),
            "start_year": lambda: career.start_month // 12,
            "grad_year": lambda: BASE_DATE.year - self.rng.randint(0, 1),
            "university": lambda: self._pick(person.country.universities),
        }[slot]()

    def _resume(self, person: _Person, career: _Career, email: str, handle: str | None,
                *, junior: bool = False) -> str:
        header = self._resume_header(person, email, handle)
        body = self._resume_body(person, career, junior=junior)
        return f"{header}\n\n{body}"

    def _resume_header(self, person: _Person, email: str, handle: str | None) -> str:
        place = f"{person.city.name}, {person.city.region or person.country.code}"
        parts = [place, email] + ([f"github.com/{handle}"] if handle else [])
        return f"{person.full_name}\n" + self._pick((" · ", " | ", ", ")).join(parts)

    def _resume_body(self, person: _Person, career: _Career, *, junior: bool,
                     target: int | None = None) -> str:
        """Sections from varied phrase pools, padded to about `target` words and trimmed to
        fit RESUME_WORDS with the header."""
        mark = self._pick(BULLET_MARKS)
        target = target or self.rng.randint(RESUME_WORDS[0] + 30, RESUME_WORDS[1] - 40)
        # Drawn without replacement: a real resume does not repeat a sentence.
        ideas = {"job": self.rng.sample(BULLETS, len(BULLETS)),
                 "project": self.rng.sample(PROJECT_BULLETS, len(PROJECT_BULLETS))}

        def draw(kind: str) -> str:
            return self._fill(ideas[kind].pop(), person, career)

        jobs = [[draw("job") for _ in range(self.rng.randint(1, 3))] for _ in career.jobs]
        projects = [draw("project")
                    for _ in range(self.rng.randint(2, 3) if junior or not jobs else 0)]
        fixed = self._resume_fixed(person, career, junior=junior)
        words = len(self._render(fixed, career, jobs, projects, mark).split())
        while words < target:  # counted as we go: rendering each time is the slow part
            if jobs and ideas["job"] and (not ideas["project"] or self.rng.random() < 0.8):
                added = draw("job")
                self._pick(jobs).append(added)
            elif ideas["project"]:
                added = draw("project")
                projects.append(added)
            else:
                break  # every phrase used: shorter than the target, still a full resume
            words += len((mark + added).split())
        return self._trimmed(fixed, career, jobs, projects, mark)

    def _trimmed(self, fixed: dict, career: _Career, jobs: list[list[str]],
                 projects: list[str], mark: str) -> str:
        """Drop bullets from the longest list until the body leaves room for the header."""
        text = self._render(fixed, career, jobs, projects, mark)
        while len(text.split()) > RESUME_WORDS[1] - 20:  # the header is at most ~15 words
            longest = max(jobs + [projects], key=len)
            if len(longest) <= 1:
                break
            longest.pop()
            text = self._render(fixed, career, jobs, projects, mark)
        return text

    def _resume_fixed(self, person: _Person, career: _Career, *, junior: bool) -> dict:
        """The parts of a resume that are not bullet lists."""
        summary = self._fill(self._pick(JUNIOR_SUMMARIES if junior else SUMMARIES), person,
                             career)
        if self.rng.random() < 0.7:
            summary += " " + self._fill(self._pick(SECOND_SENTENCES), person, career)
        _, languages, tools = FAMILIES[career.family]
        skills = self.rng.sample(languages, min(len(languages), self.rng.randint(2, 4)))
        skills += self.rng.sample(tools, min(len(tools), self.rng.randint(2, 5)))
        skills += self.rng.sample(GENERAL_SKILLS, self.rng.randint(1, 3))
        graduated = career.start_month // 12 - self.rng.randint(0, 1)
        education = self._pick((
            f"{self._pick(WORDS['degree'])}, {self._pick(person.country.universities)}, "
            f"{graduated}",
            f"{self._pick(WORDS['degree'])} ({self._pick(person.country.universities)}, "
            f"{graduated})",
        ))
        extras = []
        if self.rng.random() < 0.6:
            extras.append(self._languages(person))
        if self.rng.random() < 0.5:
            hobbies = self.rng.sample(WORDS["hobby"], 3)
            extras.append(f"Interests: {hobbies[0]}, {hobbies[1]} and {hobbies[2]}.")
        if not junior and self.rng.random() < 0.25:
            extras.append(f"Certifications: {self._pick(WORDS['cert'])} "
                          f"({BASE_DATE.year - self.rng.randint(0, 4)}).")
        names = {key: self._pick(options) for key, options in SECTION_NAMES.items()}
        return {"summary": summary, "skills": skills, "education": education,
                "extras": extras, "names": names, "skills_first": self.rng.random() < 0.3,
                "heading": self.rng.randrange(4)}

    def _languages(self, person: _Person) -> str:
        native = person.country.language
        if native == "English":
            other = self._pick(("Spanish", "French", "German", "Portuguese", "Japanese"))
            level = self._pick(("basic", "B1", "conversational"))
            return f"Languages: English (native), {other} ({level})."
        level = self._pick(("fluent", "C1", "professional working proficiency", "C2"))
        return f"Languages: {native} (native), English ({level})."

    def _render(self, fixed: dict, career: _Career, jobs: list[list[str]],
                projects: list[str], mark: str) -> str:
        names = fixed["names"]
        skills = f"{names['skills']}: " + ", ".join(fixed["skills"])
        experience = [self._job_heading(job, fixed["heading"]) + "\n"
                      + "\n".join(mark + b for b in bullets)
                      for job, bullets in zip(career.jobs, jobs)]
        sections = [f"{names['summary']}\n{fixed['summary']}"]
        if fixed["skills_first"]:
            sections.append(skills)
        if experience:
            sections.append(f"{names['experience']}\n" + "\n\n".join(experience))
        if projects:
            sections.append(f"{names['projects']}\n" + "\n".join(mark + p for p in projects))
        if not fixed["skills_first"]:
            sections.append(skills)
        sections.append(f"{names['education']}\n{fixed['education']}")
        sections += fixed["extras"]
        return "\n\n".join(sections)

    def _job_heading(self, job: dict, style: int) -> str:
        start = _month_index(job["start"])
        start_text = f"{MONTHS[start % 12]} {start // 12}"
        end_text = "present"
        if job["end"]:
            end = _month_index(job["end"])
            end_text = f"{MONTHS[end % 12]} {end // 12}"
        return (
            f"{job['title']}, {job['employer']} ({start_text} – {end_text})",
            f"{job['employer']} — {job['title']} ({start_text} to {end_text})",
            f"{job['title']} at {job['employer']}, {start_text}–{end_text}",
            f"{job['employer']}: {job['title']}, {start // 12}–"
            f"{end_text if end_text == 'present' else end_text[-4:]}",
        )[style]

    # --- Honest applicants ------------------------------------------------------------------

    def honest_applicants(self, count: int) -> list[DemoApplicant]:
        plan = self._honest_plan(count)
        applicants: list[DemoApplicant] = []
        for kind in plan:
            applicants += getattr(self, f"_honest_{kind}")()
        return applicants

    def _honest_plan(self, count: int) -> list[str]:
        """One entry per archetype group: HONEST_MIX shares, the rest ordinary applicants."""
        plan: list[str] = []
        people = 0
        for kind, share, size in HONEST_MIX:
            groups = min(round(count * share / size), (count - people) // size)
            plan += [kind] * groups
            people += groups * size
        plan += ["ordinary"] * (count - people)
        self.rng.shuffle(plan)
        return plan

    def _honest(self, persona: str, *, country: Country | None = None,
                person: _Person | None = None, career: _Career | None = None,
                applied: datetime | None = None, github: bool | None = None) -> dict:
        """An ordinary honest applicant's payload: everything in their own country."""
        person = person or self._person(country or self._country())
        applied = applied or self._applied_at()
        if career is None:
            years = self.rng.randint(2, 15)
            career = self._career(person.country.code, years=years,
                                  jobs=min(4, self.rng.randint(1, 1 + years // 3)))
        email = self._honest_email(person)
        handle = self._handle(person)
        has_github = self.rng.random() < 0.8 if github is None else github
        github_created = self._github_created(career.start_month, applied)
        home = self._address("residential", person.country, person.city)
        payload = {
            "external_id": "",
            "full_name": person.full_name,
            "email": email,
            "phone": self._phone(person.country.code, person.city.area_code),
            "position": self._position(career),
            "applied_at": _iso(applied),
            "location": {"country": person.country.code, "region": person.city.region,
                         "city": person.city.name},
            "profiles": self._profiles(person, handle, github_created, career.start_month,
                                       github=has_github),
            "ip_addresses": self._honest_ips(person.country, applied),
            "addresses": [home],
            "payment_accounts": ([self._bank_account(person.country.code, self._holder(person))]
                                 if self.rng.random() < 0.85 else []),
            "employment_history": career.jobs,
            "resume_text": self._resume(person, career, email, handle if has_github else None,
                                        junior=career.years <= 1),
        }
        if self.rng.random() < 0.15:  # some ATSs collect a shipping address equal to home
            payload["addresses"].append(self._variant(home, "shipping"))
        return {"payload": payload, "persona": persona, "person": person, "career": career,
                "applied": applied, "handle": handle}

    def _holder(self, person: _Person) -> str:
        """How a bank writes the holder: usually the name as given, sometimes upper-cased."""
        return person.full_name.upper() if self.rng.random() < 0.15 else person.full_name

    def _honest_ips(self, country: Country, applied: datetime) -> list[dict]:
        home_ip = self._ip(country.ip_blocks)
        seen = [self._ip_seen(home_ip, "application",
                              applied - timedelta(minutes=self.rng.randint(1, 30)))]
        if self.rng.random() < 0.4:
            again = home_ip if self.rng.random() < 0.5 else self._ip(country.ip_blocks)
            seen.append(self._ip_seen(again, "interview", self._interview_time(applied)))
        return seen

    def _done(self, draft: dict) -> DemoApplicant:
        return DemoApplicant(payload=draft["payload"], label=HONEST, ring=None,
                             persona=f"honest: {draft['persona']}")

    def _honest_ordinary(self) -> list[DemoApplicant]:
        return [self._done(self._honest("ordinary applicant"))]

    def _honest_vpn(self) -> list[DemoApplicant]:
        """Privacy-minded: applies through a commercial VPN exit that strangers share too."""
        draft = self._honest("VPN user")
        exit_ip = self._vpn_exit()
        draft["payload"]["ip_addresses"][0]["ip"] = exit_ip
        return [self._done(draft)]

    def _vpn_exit(self) -> str:
        # A small pool of popular exits: unrelated VPN users now and then share one.
        if len(self.vpn_exits) < 12 or self.rng.random() < 0.3:
            network = ipaddress.ip_network(self._pick(VPN_EXIT_BLOCKS))
            self.vpn_exits.append(str(network[self.rng.randrange(2, network.num_addresses - 2)]))
        return self._pick(self.vpn_exits)

    def _honest_junior(self) -> list[DemoApplicant]:
        """New to the field: a GitHub account from the last six months and 0-1 jobs."""
        country = self._country()
        jobs = self.rng.randint(0, 1)
        career = self._career(country.code, years=self.rng.randint(0, 1), jobs=jobs)
        if not jobs:
            career.start_month = BASE_MONTH - self.rng.randint(1, 6)
        applied = self._applied_at()
        draft = self._honest("junior", country=country, career=career, applied=applied,
                             github=True)
        github = {"network": "github", "url": f"https://github.com/{draft['handle']}",
                  "created_at": _iso(applied - timedelta(days=self.rng.randint(5, 170)))}
        others = [p for p in draft["payload"]["profiles"] if p["network"] != "github"]
        draft["payload"]["profiles"] = [github] + others
        return [self._done(draft)]

    def _honest_traveller(self) -> list[DemoApplicant]:
        """Lives in one country, still has the phone of the last one, interviews from a third."""
        draft = self._honest("traveller")
        payload, home = draft["payload"], draft["person"].country.code
        previous, visiting = self.rng.sample([c for c in COUNTRIES if c != home], 2)
        payload["phone"] = self._phone(previous, self._pick(COUNTRIES[previous].cities).area_code)
        payload["ip_addresses"] = payload["ip_addresses"][:1] + [self._ip_seen(
            self._ip(COUNTRIES[visiting].ip_blocks), "interview",
            self._interview_time(draft["applied"]))]
        return [self._done(draft)]

    def _honest_freelancer(self) -> list[DemoApplicant]:
        """Paid through Wise or Payoneer, in an account of their own."""
        draft = self._honest("freelancer")
        payload, person = draft["payload"], draft["person"]
        if self.rng.random() < 0.5:
            entity = self._pick(tuple(WISE_BANKS))
            account = {"method": "wise", "iban": self._iban(entity, WISE_BANKS[entity]),
                       "bank_country": entity, "holder_name": person.full_name}
            draft["persona"] = "freelancer (Wise)"
        else:
            account = {"method": "payoneer", "account_email": payload["email"],
                       "holder_name": person.full_name}
            draft["persona"] = "freelancer (Payoneer)"
        payload["payment_accounts"] = [account] + payload["payment_accounts"][:1]
        return [self._done(draft)]

    def _honest_roommates(self) -> list[DemoApplicant]:
        """Two unrelated people on one lease: the home address is all they share."""
        first = self._honest("room-mate")
        country, city = first["person"].country, first["person"].city
        person = self._person(country)
        person.city = city
        second = self._honest("room-mate", person=person)
        home = first["payload"]["addresses"][0]
        second["payload"]["addresses"] = [self._variant(home, "residential")]
        first["payload"]["addresses"] = [home]
        return [self._done(first), self._done(second)]

    def _honest_shared_ip(self) -> list[DemoApplicant]:
        """A couple at home, or two colleagues in one office: one application IP."""
        self.shared_ip_pairs += 1
        return self._couple() if self.shared_ip_pairs % 2 else self._coworkers()

    def _couple(self) -> list[DemoApplicant]:
        first = self._honest("couple")
        person = self._person(first["person"].country)
        person.city = first["person"].city
        second = self._honest("couple", person=person)
        home = first["payload"]["addresses"][0]
        second["payload"]["addresses"] = [self._variant(home, "residential")]
        first["payload"]["addresses"] = [home]
        _share_application_ip(first, second)
        return [self._done(first), self._done(second)]

    def _coworkers(self) -> list[DemoApplicant]:
        country = self._country()
        careers = []
        for _ in range(2):
            years = self.rng.randint(2, 12)
            careers.append(self._career(country.code, years=years, current=True,
                                        jobs=min(4, 1 + years // 4)))
        careers[1].jobs[0]["employer"] = careers[0].jobs[0]["employer"]
        first = self._honest("co-worker", country=country, career=careers[0])
        person = self._person(country)
        person.city = first["person"].city
        second = self._honest("co-worker", person=person, career=careers[1])
        _share_application_ip(first, second)
        return [self._done(first), self._done(second)]

    def _honest_parents(self) -> list[DemoApplicant]:
        """Has the equipment shipped to their parents' house in another city, c/o a parent."""
        draft = self._honest("ships to parents")
        person = draft["person"]
        other_cities = [c for c in person.country.cities if c != person.city]
        parents = self._address("shipping", person.country, self._pick(other_cities))
        # The parent of the same gender: Polish surnames agree with it (Kowalska, Kowalski).
        parent = self._pick(person.country.female if person.female else person.country.male)
        parents["line2"] = f"c/o {parent} {person.family}"
        draft["payload"]["addresses"] = [draft["payload"]["addresses"][0], parents]
        return [self._done(draft)]

    def _honest_immigrant(self) -> list[DemoApplicant]:
        """Moved for work and kept the phone number from home; early jobs were back home."""
        origin = self._country()
        person = self._person(origin)
        new_home = self._pick([c for c in COUNTRIES.values() if c.code != origin.code])
        person.country, person.city = new_home, self._pick(new_home.cities)
        years = self.rng.randint(3, 14)
        career = self._career(new_home.code, years=years, jobs=min(4, 1 + years // 4))
        for job in career.jobs[1:]:
            job |= {"country": origin.code, "employer": self._employer(origin.code)}
        draft = self._honest("immigrant", person=person, career=career)
        draft["payload"]["phone"] = self._phone(origin.code, self._pick(origin.cities).area_code)
        return [self._done(draft)]

    def _honest_holder_variant(self) -> list[DemoApplicant]:
        """The bank writes the name its own way: "D. Whitfield", "WHITFIELD DANA"."""
        draft = self._honest("holder name variant")
        person = draft["person"]
        variant = self._pick((
            f"{person.first[0]}. {person.last}", f"{person.last}, {person.first}",
            f"{person.last.upper()} {person.first.upper()}",
            f"{person.first} {self._pick('ABCDEJKLMRST')}. {person.last}",
            plain_text(person.full_name),
        ))
        if variant == person.full_name:  # a name without accents: fall back to the initial
            variant = f"{person.first[0]}. {person.last}"
        account = self._bank_account(person.country.code, variant)
        draft["payload"]["payment_accounts"] = [account]
        return [self._done(draft)]

    # --- Fraud rings ------------------------------------------------------------------------

    def ring_members(self, number: int) -> list[DemoApplicant]:
        core = self.core_tactics[(number - 1) % len(self.core_tactics)]
        ring = self._ring(number, core)
        size = self.rng.randint(3, 10)
        plans = [self._member_tactics(ring) for _ in range(size)]
        for index in self.rng.sample(range(size), 2):  # at least two members are linkable
            plans[index] = _ordered(set(plans[index]) | {core})
        return [self._member(ring, _effective(tactics)) for tactics in plans]

    def _ring(self, number: int, core: str) -> _Ring:
        """One facilitator's operation: the farm, the numbers, the accounts, the template."""
        # Which tactics this operation uses, and how consistently its members apply them.
        odds = {t: (self.rng.uniform(0.25, 0.8) if self.rng.random() < share else 0.0)
                for t, (_, share) in TACTICS.items()}
        odds[core] = odds[core] or self.rng.uniform(0.25, 0.8)
        us = COUNTRIES["US"]
        facilitator = self._person(us)
        farm_city = self._pick(FARM_CITIES)
        farm = self._address("shipping", us, farm_city)
        career = self._career("US", years=self.rng.randint(6, 12), jobs=self.rng.randint(2, 4))
        author = self._person(us)
        return _Ring(
            number=number, facilitator=facilitator.full_name, odds=odds, farm=farm,
            farm_ip=self._ip(us.ip_blocks),
            hosting_ips=[self._ip(RING_HOSTING_BLOCKS) for _ in range(self.rng.randint(2, 3))],
            phones=self._ring_phones(farm_city),
            payout=self._ring_payout(facilitator),
            wallet=self._wallet(), career=career, template_city=author.city.name,
            # Long templates: the swapped name and edits change a small part of the text.
            template_body=self._resume_body(author, career, junior=False,
                                            target=self.rng.randint(330, 370)),
            window_start=BASE_DATE - timedelta(days=self.rng.randint(25, APPLICATION_WINDOW_DAYS)),
        )

    def _ring_phones(self, farm_city: City) -> list[str]:
        """A handful of numbers the operators answer: some VoIP (+44 56), some local."""
        phones = [self._phone("GB", voip=True)]
        for _ in range(self.rng.randint(1, 2)):
            phones.append(self._phone("GB", voip=True) if self.rng.random() < 0.4
                          else self._phone("US", farm_city.area_code))
        return phones

    def _ring_payout(self, facilitator: _Person) -> dict:
        """Where the ring's salaries go: an account in the facilitator's name."""
        kind = self._weighted({"iban": 45, "payoneer": 35, "us_bank": 20})
        if kind == "iban":
            country = self._pick(RING_BANK_COUNTRIES)
            return {"method": "bank", "iban": self._iban(country), "bank_country": country,
                    "holder_name": facilitator.full_name}
        if kind == "payoneer":
            email = self._persona_email(facilitator, disposable=False)
            return {"method": "payoneer", "account_email": email,
                    "holder_name": facilitator.full_name}
        return self._bank_account("US", facilitator.full_name)

    def _member_tactics(self, ring: _Ring) -> list[str]:
        return [t for t in TACTICS if self.rng.random() < ring.odds[t]]

    def _member(self, ring: _Ring, tactics: list[str]) -> DemoApplicant:
        claimed = COUNTRIES[self._weighted({"US": 85, "CA": 8, "GB": 7})]
        person = self._person(claimed)
        applied = min(ring.window_start + timedelta(seconds=self.rng.randrange(21 * 86400)),
                      BASE_DATE - timedelta(minutes=5))
        if "template_resume" in tactics:
            career = ring.career
        else:  # a long claimed career at employers in the claimed country
            career = self._career(claimed.code, years=self.rng.randint(5, 12),
                                  jobs=self.rng.randint(2, 4))
        email = self._fraud_email(person, tactics)
        handle = self._handle(person)
        github_created = self._fraud_github_created(tactics, career, applied)
        payload = {
            "external_id": "",
            "full_name": person.full_name,
            "email": email,
            "phone": self._fraud_phone(ring, person, tactics),
            "position": self._position(career),
            "applied_at": _iso(applied),
            "location": {"country": claimed.code, "region": person.city.region,
                         "city": person.city.name},
            "profiles": self._profiles(person, handle, github_created, career.start_month,
                                       github=github_created is not None),
            "ip_addresses": self._fraud_ips(ring, person, tactics, applied),
            "addresses": self._fraud_addresses(ring, person, tactics),
            "payment_accounts": self._fraud_payments(ring, person, tactics),
            "employment_history": [dict(job) for job in career.jobs],
            "resume_text": self._fraud_resume(ring, person, career, email, handle, tactics),
        }
        return DemoApplicant(payload=payload, label=FRAUD, ring=f"ring-{ring.number}",
                             persona=_fraud_persona(ring.number, tactics))

    def _fraud_email(self, person: _Person, tactics: list[str]) -> str:
        if "disposable_email" in tactics:
            return self._persona_email(person, disposable=True)
        if "persona_email" in tactics:
            return self._persona_email(person, disposable=False)
        return self._honest_email(person)

    def _fraud_phone(self, ring: _Ring, person: _Person, tactics: list[str]) -> str:
        if "shared_phone" in tactics:
            # The first two callers get the main line, so a ring that shares phones is linked.
            ring.phone_users += 1
            return ring.phones[0] if ring.phone_users <= 2 else self._pick(ring.phones)
        if "voip_phone" in tactics:
            return self._phone("GB", voip=True)
        return self._phone(person.country.code, person.city.area_code)

    def _fraud_github_created(self, tactics: list[str], career: _Career,
                              applied: datetime) -> datetime | None:
        """New accounts despite a long claimed career (THREATS A2); otherwise an aged one."""
        if "new_github" in tactics:
            return applied - timedelta(days=self.rng.randint(20, 240))
        if self.rng.random() < 0.6:
            return self._github_created(career.start_month, applied)
        return None

    def _fraud_ips(self, ring: _Ring, person: _Person, tactics: list[str],
                   applied: datetime) -> list[dict]:
        if "hosting_ip" in tactics:
            application = self._pick(ring.hosting_ips)
        elif "farm_ip" in tactics:
            application = ring.farm_ip
        else:
            application = self._ip(person.country.ip_blocks)
        seen = [self._ip_seen(application, "application",
                              applied - timedelta(minutes=self.rng.randint(1, 30)))]
        if self.rng.random() < 0.5:
            # Interviews come from wherever the operator sits: the farm or the tunnel.
            interview = application
            if "farm_ip" in tactics:
                interview = ring.farm_ip
            elif "hosting_ip" in tactics:
                interview = self._pick(ring.hosting_ips)
            seen.append(self._ip_seen(interview, "interview", self._interview_time(applied)))
        return seen

    def _fraud_addresses(self, ring: _Ring, person: _Person, tactics: list[str]) -> list[dict]:
        """A claimed home of the persona's own; the laptop goes to the farm."""
        home = self._address("residential", person.country, person.city)
        if "laptop_farm" in tactics:
            return [home, self._variant(ring.farm, "shipping")]
        if self.rng.random() < 0.2:
            return [home, self._variant(home, "shipping")]
        return [home]

    def _fraud_payments(self, ring: _Ring, person: _Person, tactics: list[str]) -> list[dict]:
        accounts = []
        if "shared_payout" in tactics:
            accounts.append(dict(ring.payout))
        elif "foreign_bank" in tactics:
            abroad = self._pick([c for c in RING_BANK_COUNTRIES if c != person.country.code])
            accounts.append(self._bank_account(abroad, person.full_name))
        if "crypto" in tactics:
            wallet = ring.wallet if self.rng.random() < 0.6 else self._wallet()
            accounts.append({"method": "crypto", "wallet_address": wallet,
                             "holder_name": person.full_name})
        if not accounts:
            accounts.append(self._bank_account(person.country.code, person.full_name))
        return accounts

    def _fraud_resume(self, ring: _Ring, person: _Person, career: _Career, email: str,
                      handle: str, tactics: list[str]) -> str:
        header = self._resume_header(person, email, handle)
        if "template_resume" not in tactics:
            return f"{header}\n\n{self._resume_body(person, career, junior=False)}"
        body = ring.template_body.replace(ring.template_city, person.city.name)
        return f"{header}\n\n{self._edit_words(body, self.rng.randint(1, 3))}"

    def _edit_words(self, text: str, count: int) -> str:
        """Swap a few words for synonyms, as an operator touching up a template would."""
        matches = list(EDITABLE_WORD.finditer(text))
        chosen = sorted(self.rng.sample(matches, min(count, len(matches))),
                        key=lambda m: m.start(), reverse=True)
        for match in chosen:  # from the end, so earlier offsets stay valid
            word = match.group(0)
            replacement = TEMPLATE_EDITS[word.lower()]
            if word[0].isupper():
                replacement = replacement[0].upper() + replacement[1:]
            text = text[:match.start()] + replacement + text[match.end():]
        return text

    # --- Issue 10: confounders and tactics (demo_population(hard=True)) ---------------------

    def hard_cases(self, honest: int, *, first_ring: int) -> list[DemoApplicant]:
        applicants: list[DemoApplicant] = []
        for group, share, size in HARD_CONFOUNDERS:
            method = getattr(self, "_hard_" + re.sub(r"\W+", "_", group).strip("_").lower())
            for _ in range(max(1, round(honest * share / size))):
                applicants += [_regroup(a, group) for a in method()]
        number = first_ring
        for tactic in HARD_TACTICS:
            method = getattr(self, "_tactic_" + re.sub(r"\W+", "_", tactic).lower())
            applicants += [_regroup(a, tactic) for a in method(number)]
            number += 1
        return applicants

    def _hard_duplicate(self) -> list[DemoApplicant]:
        """One person, two applications (another position, or an ATS duplicate): the same
        email, phone, account and profiles under two external ids."""
        draft = self._honest("duplicate application")
        again = copy.deepcopy(draft["payload"])
        later = draft["applied"] + timedelta(days=self.rng.randint(0, 20))
        again["applied_at"] = _iso(min(later, BASE_DATE))
        if self.rng.random() < 0.5:
            again["position"] = self._position(self._career(
                draft["person"].country.code, years=draft["career"].years, jobs=1))
        if self.rng.random() < 0.3:  # another ATS writes the name without its accents
            again["full_name"] = plain_text(again["full_name"])
        again["ip_addresses"] = self._honest_ips(draft["person"].country, later)
        return [self._done(draft), self._done(draft | {"payload": again})]

    def _hard_joint_couple(self) -> list[DemoApplicant]:
        """A couple at one home, one application IP, paid into one joint account that names
        both; half of them share a surname."""
        first = self._honest("joint couple")
        one = first["person"]
        person = self._person(one.country)
        person.city = one.city
        if self.rng.random() < 0.5:
            person.last = person.family = one.family
        second = self._honest("joint couple", person=person)
        home = first["payload"]["addresses"][0]
        second["payload"]["addresses"] = [self._variant(home, "residential")]
        _share_application_ip(first, second)
        holder = self._pick((f"{one.full_name} & {person.full_name}",
                             f"{one.full_name} and {person.full_name}",
                             f"{one.first} & {person.first} {one.family}"
                             if person.family == one.family else
                             f"{one.full_name}, {person.full_name}"))
        joint = self._bank_account(one.country.code, holder)
        for draft in (first, second):
            draft["payload"]["payment_accounts"] = [dict(joint)]
        return [self._done(first), self._done(second)]

    def _hard_relocated_national_format_phone(self) -> list[DemoApplicant]:
        """Moved abroad, kept the phone from home and writes it the way people write it at
        home (national format, no country code): it cannot be read for the new country."""
        origin = self._pick([c for c in COUNTRIES.values() if c.code not in ("US", "CA")])
        person = self._person(origin)
        new_home = self._pick([c for c in COUNTRIES.values() if c.code != origin.code])
        person.country, person.city = new_home, self._pick(new_home.cities)
        draft = self._honest("relocated", person=person)
        number = phonenumbers.parse(self._phone(origin.code), None)
        draft["payload"]["phone"] = phonenumbers.format_number(number,
                                                               PhoneNumberFormat.NATIONAL)
        return [self._done(draft)]

    def _hard_co_working_ip(self) -> list[DemoApplicant]:
        """Five unrelated people applying from one co-working space's IP."""
        country = self._country()
        drafts = [self._honest("co-working", country=country) for _ in range(5)]
        for draft in drafts[1:]:
            _share_application_ip(drafts[0], draft)
        return [self._done(d) for d in drafts]

    def _hard_nomad_on_vpn_with_payout_service(self) -> list[DemoApplicant]:
        """Travels, connects through a commercial VPN, is paid through Wise or Payoneer."""
        draft = self._honest("nomad")
        payload, person = draft["payload"], draft["person"]
        payload["ip_addresses"][0]["ip"] = self._vpn_exit()
        if self.rng.random() < 0.5:
            entity = self._pick(tuple(WISE_BANKS))
            account = {"method": "wise", "iban": self._iban(entity, WISE_BANKS[entity]),
                       "bank_country": entity, "holder_name": person.full_name}
        else:
            account = {"method": "payoneer", "account_email": payload["email"],
                       "holder_name": person.full_name}
        payload["payment_accounts"] = [account]
        visiting = self._pick([c for c in COUNTRIES if c != person.country.code])
        payload["ip_addresses"].append(self._ip_seen(
            self._ip(COUNTRIES[visiting].ip_blocks), "interview",
            self._interview_time(draft["applied"])))
        return [self._done(draft)]

    def _hard_late_github_joiner(self) -> list[DemoApplicant]:
        """A long career whose code lived in an employer's GitLab; GitHub joined lately."""
        country = self._country()
        years = self.rng.randint(8, 16)
        career = self._career(country.code, years=years, jobs=min(4, 1 + years // 4))
        applied = self._applied_at()
        draft = self._honest("late GitHub joiner", country=country, career=career,
                             applied=applied, github=True)
        created = applied - timedelta(days=self.rng.randint(400, 1000))
        for profile in draft["payload"]["profiles"]:
            if profile["network"] == "github":
                profile["created_at"] = _iso(created)
        return [self._done(draft)]

    def _tactic_paraphrased_template(self, number: int) -> list[DemoApplicant]:
        """A ring on one template, each copy reworded by a language model: shingles no longer
        match; the career (employers, titles, dates) still does."""
        ring = self._ring(number, "template_resume")
        members = []
        for _ in range(self.rng.randint(4, 7)):
            tactics = _effective(_ordered(set(self._member_tactics(ring)) | {"template_resume"}))
            member = self._member(ring, tactics)
            text = member.payload["resume_text"]
            header, _, body = text.partition("\n\n")
            member.payload["resume_text"] = f"{header}\n\n{paraphrase(body, self.rng)}"
            members.append(member)
        return members

    def _tactic_quiet_persona(self, number: int) -> list[DemoApplicant]:
        """The scatter-gun operator: personas that share no identifier, on one paraphrased
        template career with a front company in it, each with two or three moderate signals
        (Astrill, a young GitHub behind a long career, VoIP, a payout service)."""
        career = self._career("US", years=self.rng.randint(7, 12), jobs=3)
        career.jobs[1]["employer"] = self._front_company()
        author = self._person(COUNTRIES["US"])
        body = self._resume_body(author, career, junior=False, target=self.rng.randint(300, 360))
        body = body.replace(author.city.name, "{city}")
        members = []
        for _ in range(self.rng.randint(5, 8)):
            signals = self.rng.sample(QUIET_SIGNALS, self.rng.randint(2, 3))
            members.append(self._quiet(number, career, body, signals, "quiet persona"))
        return members

    def _tactic_front_company(self, number: int) -> list[DemoApplicant]:
        """Personas with careers of their own, each with a stint at one of the operator's
        obscure front companies, and two moderate signals."""
        fronts = [self._front_company() for _ in range(2)]
        members = []
        for index in range(self.rng.randint(4, 6)):
            claimed = COUNTRIES[self._weighted({"US": 85, "CA": 8, "GB": 7})]
            career = self._career(claimed.code, years=self.rng.randint(6, 12),
                                  jobs=self.rng.randint(2, 4))
            # Every one worked at the first front; every other one at the second too.
            jobs = self.rng.sample(range(len(career.jobs)), min(2, len(career.jobs)))
            career.jobs[jobs[0]]["employer"] = fronts[0]
            if index % 2 and len(jobs) > 1:
                career.jobs[jobs[1]]["employer"] = fronts[1]
            person = self._person(claimed)
            body = self._resume_body(person, career, junior=False)
            signals = self.rng.sample(QUIET_SIGNALS, 2)
            members.append(self._quiet(number, career, body, signals, "front-company persona",
                                       person=person, paraphrased=False))
        return members

    def _tactic_known_bad_reuse(self, number: int) -> list[DemoApplicant]:
        """Personas an HR lead already rejected as fraud, and newcomers under new names that
        present one of their phones or bank accounts (and nothing else suspicious)."""
        applicants = []
        for _ in range(2):
            ring = self._ring(number, "shared_phone")
            rejected = self._member(ring, ["voip_phone", "persona_email", "new_github"])
            rejected.payload["payment_accounts"] = [self._bank_account(
                "US", rejected.payload["full_name"])]
            applicants.append(DemoApplicant(
                payload=rejected.payload, label=FRAUD, ring=f"ring-{number}",
                persona=f"fraud ring {number}: rejected earlier as fraud", decided=True))
            for _ in range(2):
                draft = self._honest("reuse", country=COUNTRIES["US"])
                payload = draft["payload"]
                if self.rng.random() < 0.5:
                    payload["phone"] = rejected.payload["phone"]
                    what = "phone"
                else:
                    account = dict(rejected.payload["payment_accounts"][0])
                    account["holder_name"] = payload["full_name"]
                    payload["payment_accounts"] = [account]
                    what = "bank account"
                applicants.append(DemoApplicant(
                    payload=payload, label=FRAUD, ring=f"ring-{number}",
                    persona=f"fraud ring {number}: new name on a rejected persona's {what}"))
        return applicants

    def _front_company(self) -> str:
        for _ in range(50):
            name = f"{self._pick(FRONT_WORDS)} {self._pick(FRONT_SUFFIX)}"
            if self._claim("domain", name):
                return name
        raise RuntimeError("ran out of front company names")

    def _quiet(self, number: int, career: _Career, body: str, signals: list[str],
               persona: str, *, person: _Person | None = None,
               paraphrased: bool = True) -> DemoApplicant:
        claimed = person.country if person else COUNTRIES[
            self._weighted({"US": 85, "CA": 8, "GB": 7})]
        person = person or self._person(claimed)
        applied = self._applied_at()
        email = self._honest_email(person)
        handle = self._handle(person)
        github_created = (applied - timedelta(days=self.rng.randint(20, 240))
                          if "new_github" in signals
                          else self._github_created(career.start_month, applied))
        ip = (self._ip(ASTRILL_BLOCKS) if "astrill" in signals
              else self._ip(person.country.ip_blocks))
        account = ({"method": "payoneer", "account_email": email,
                    "holder_name": person.full_name} if "payout" in signals
                   else self._bank_account(person.country.code, person.full_name))
        text = body.replace("{city}", person.city.name)
        if paraphrased:
            text = paraphrase(text, self.rng)
        payload = {
            "external_id": "",
            "full_name": person.full_name,
            "email": email,
            "phone": (self._phone("GB", voip=True) if "voip" in signals
                      else self._phone(person.country.code, person.city.area_code)),
            "position": self._position(career),
            "applied_at": _iso(applied),
            "location": {"country": person.country.code, "region": person.city.region,
                         "city": person.city.name},
            "profiles": self._profiles(person, handle, github_created, career.start_month,
                                       github=True),
            "ip_addresses": [self._ip_seen(ip, "application",
                                           applied - timedelta(minutes=self.rng.randint(1, 30)))],
            "addresses": [self._address("residential", person.country, person.city)],
            "payment_accounts": [account],
            "employment_history": [dict(job) for job in career.jobs],
            "resume_text": f"{self._resume_header(person, email, handle)}\n\n{text}",
        }
        return DemoApplicant(payload=payload, label=FRAUD, ring=f"ring-{number}",
                             persona=f"fraud ring {number}: {persona} ({', '.join(signals)})")

    # --- The sanctions showcase (demo_population(sanctioned=True)) --------------------------

    def sanctioned_personas(self) -> list[DemoApplicant]:
        """One applicant per kind of sanctions hit, each applying through another kind of
        flagged network (Astrill, a commercial VPN, a datacenter), as the advisories
        describe the IT workers doing."""
        us = COUNTRIES["US"]
        # Astrill, a commercial VPN, a cloud provider (a block the datacenter list covers).
        networks = (ASTRILL_BLOCKS, VPN_EXIT_BLOCKS, ("45.77.0.0/16",))
        applicants = []
        for i, (kind, value) in enumerate(SANCTIONED):
            person = self._person(us)  # they claim to live in the US, as the cases did
            if kind == "name":
                person = _Person(first=value[0], last=value[1], family=value[1], country=us,
                                 city=person.city, female=False)
            career = self._career("US", years=self.rng.randint(4, 9), jobs=2)
            if kind == "employer":
                career.jobs[-1]["employer"] = value
                career.jobs[-1]["country"] = "CN"
            draft = self._honest(f"sanctions: {kind}", person=person, career=career,
                                 github=True)
            payload = draft["payload"]
            payload["ip_addresses"][0]["ip"] = self._ip(networks[i % len(networks)])
            if kind == "holder":
                payload["payment_accounts"] = [self._bank_account("AE", value)]
            if kind == "wallet":
                payload["payment_accounts"] = [{"method": "crypto", "wallet_address": value,
                                                "holder_name": draft["person"].full_name}]
            applicants.append(DemoApplicant(
                payload=payload, label=FRAUD, ring=None, group="sanctioned identity",
                persona=f"fraud: sanctioned {kind} (OFAC SDN)"))
        return applicants

    # --- Finishing --------------------------------------------------------------------------

    def assign_external_ids(self, applicants: list[DemoApplicant]) -> None:
        """ATS ids rise with time, like a real requisition's (e.g. Greenhouse "gh-4100231")."""
        number = 4_100_000 + self.rng.randint(0, 99_999)
        for applicant in applicants:
            number += self.rng.randint(1, 37)
            applicant.payload["external_id"] = f"gh-{number}"


def _role(title: str) -> str:
    """A title as it reads mid-sentence: "DevOps engineer", "full-stack developer"."""
    return " ".join(w if sum(c.isupper() for c in w) > 1 else w.lower() for w in title.split())


def _month_index(text: str) -> int:
    year, month = text.split("-")[:2]
    return int(year) * 12 + int(month) - 1


def _address_key(address: dict) -> str:
    return normalize.address_key(line1=address["line1"], line2=address["line2"],
                                 city=address["city"], postal_code=address["postal_code"],
                                 country=address["country"])


def _share_application_ip(first: dict, second: dict) -> None:
    shared = first["payload"]["ip_addresses"][0]["ip"]
    second["payload"]["ip_addresses"][0]["ip"] = shared


def _regroup(applicant: DemoApplicant, group: str) -> DemoApplicant:
    return dataclasses.replace(applicant, group=group)


def _ordered(tactics: set[str]) -> list[str]:
    return [t for t in TACTICS if t in tactics]


# When a member draws both, the first wins: one phone, one email, one salary account.
OVERRIDES = (("shared_phone", "voip_phone"), ("disposable_email", "persona_email"),
             ("shared_payout", "foreign_bank"))


def _effective(tactics: list[str]) -> list[str]:
    """The tactics that show in the payload, so that the persona label tells the truth."""
    dropped = {loser for winner, loser in OVERRIDES if winner in tactics}
    return [t for t in tactics if t not in dropped]


def _fraud_persona(number: int, tactics: list[str]) -> str:
    main = next((label for tactic, label in MAIN_ROLE if tactic in tactics), "lone persona")
    main_tactic = next((tactic for tactic, _ in MAIN_ROLE if tactic in tactics), None)
    others = [TACTICS[t][0] for t in tactics if t != main_tactic]
    return f"fraud ring {number}: {main}" + (f" ({', '.join(others)})" if others else "")
