# ruff: noqa: E501 - one stakeholder or tie a line reads better than wrapped tuples
"""Writes the demo coalition's power map (`elements.csv`, `connections.csv`): run it from the
repository root with `python -m cairn.powermap.demo_data.build_landscape` after editing.

Every person and organization here is fictional (see README.md). Stakeholders and the
relationships with their own evidence are written by hand below; a few families of ties (committee
rosters, campaign-finance filings, grants, association memberships, news coverage) are spelled out
from small tables, with amounts and dates drawn from a seeded generator so that the file is the
same on every run.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED = 20270115

# The demo's member organizations and decision-makers (cairn/coalitions/demo.py): the rows below
# use exactly these names, so the import updates their stakeholders instead of duplicating them.
HEALTH_SYSTEM = "Riverbend Health System"
KEYSTONE = "Keystone Mutual Health Plan"
CEDAR_VALLEY = "Cedar Valley Health Plan"
CRISIS_LINE = "Riverbend Crisis Line"
HARBOR_HOUSE = "Harbor House Community Services"
EASTSIDE = "Eastside Youth & Family Center"
SECOND_CHANCE = "Second Chance Recovery Center"
UNIVERSITY = "Riverbend State University School of Public Health"
INTERFAITH = "Riverbend Interfaith Network"
EMS_UNION = "Tri-County EMS Workers Local 512"
FAMILIES = "Riverbend Families for Mental Health"
CHAMBER = "Riverbend Regional Chamber of Commerce"
COMMUNITY_MEDIA = "Riverbend Community Media"
HOLLOWAY = "Sen. Patricia Holloway"
MANNING = "Rep. Gerald Manning"
CASTELLANOS = "Sen. Linda Castellanos"
KESSLER = "Rep. Howard Kessler"
MOREAU = "Rep. Angela Moreau"

# (name, kind, sector, position, influence, description, tags, held by)
# An empty position leaves the stakeholder's own (the decision-makers' come from the campaign).
P, O, F = "person", "organization", "office"  # noqa: E741 - short names for the table
# fmt: off
ELEMENTS: list[tuple[str, str, str, str, int, str, str, str]] = [
    # --- the campaign's decision-makers and the legislature --------------------------------------
    (HOLLOWAY, P, "government", "", 95, "Senate Majority Leader; decides which budget amendments reach the floor.", "target|senate|leadership", HEALTH_SYSTEM),
    (MANNING, P, "government", "", 90, "Chair of the House Appropriations Committee; writes the House budget.", "target|house|appropriations", UNIVERSITY),
    (CASTELLANOS, P, "government", "", 80, "Chair of the Senate Health & Human Services Committee; sponsor of the bed-registry bill.", "target|senate|health committee", FAMILIES),
    (KESSLER, P, "government", "", 95, "Speaker of the House; opposes new recurring spending, open to one-time capital money.", "target|house|leadership", ""),
    (MOREAU, P, "government", "", 70, "Vice chair of House Appropriations; represents Ashford County, with the slowest EMS response times.", "target|house|appropriations", EMS_UNION),
    ("Sen. Marcus Webb", P, "government", "skeptical", 80, "Chair of the Senate Finance Committee; asks for an offset for every new recurring line.", "senate|finance", ""),
    ("Rep. Dolores Fitch", P, "government", "supportive", 60, "Chair of the House Health Committee; a former school nurse.", "house|health committee", HEALTH_SYSTEM),
    ("Sen. Raymond Ochoa", P, "government", "supportive", 65, "Senate Minority Leader; has called psychiatric boarding 'a scandal in plain sight'.", "senate|leadership", ""),
    ("Rep. Thomas Brandt", P, "government", "skeptical", 65, "House Majority Whip; close to the Speaker on budget strategy.", "house|leadership", ""),
    ("Rep. Keisha Lawson", P, "government", "champion", 55, "Riverbend representative on House Appropriations; lost a cousin to a crisis that waited for a bed.", "house|appropriations", FAMILIES),
    ("Sen. Evelyn Park", P, "government", "supportive", 50, "Senator for Marlow County; sits on Health & Human Services.", "senate|health committee", ""),
    ("Rep. Samuel Kirby", P, "government", "neutral", 50, "Ashford County representative on House Appropriations; watches rural hospital budgets.", "house|appropriations", ""),
    ("Sen. Frank DiNapoli", P, "government", "neutral", 55, "Sits on both Senate Finance and Health & Human Services.", "senate|finance|health committee", ""),
    ("Rep. Nora Whitcomb", P, "government", "skeptical", 45, "House Appropriations member; chairs its subcommittee on state agencies.", "house|appropriations", ""),
    ("Rep. Luis Arroyo", P, "government", "supportive", 40, "House Health Committee member from Riverbend's east side.", "house|health committee", EASTSIDE),
    ("House Appropriations Committee", F, "government", "neutral", 85, "Writes the House budget, line by line.", "committee", ""),
    ("Senate Health & Human Services Committee", F, "government", "supportive", 70, "Hears every health and human-services bill of the Senate.", "committee", ""),
    ("House Health Committee", F, "government", "supportive", 55, "Hears health bills in the House.", "committee", ""),
    ("Senate Finance Committee", F, "government", "skeptical", 80, "Reviews every Senate spending and revenue measure.", "committee", ""),
    ("House Majority Caucus", F, "government", "skeptical", 75, "The majority party's members of the House.", "caucus", ""),
    ("House Minority Caucus", F, "government", "supportive", 40, "The minority party's members of the House.", "caucus", ""),
    ("Senate Majority Caucus", F, "government", "neutral", 75, "The majority party's members of the Senate.", "caucus", ""),
    ("Senate Minority Caucus", F, "government", "supportive", 35, "The minority party's members of the Senate.", "caucus", ""),
    ("Daniel Price", P, "government", "neutral", 60, "Chief of staff to the Senate Majority Leader; gatekeeper of her calendar.", "staff", HEALTH_SYSTEM),
    ("Karen Liu", P, "government", "neutral", 45, "Senior budget analyst of the House Appropriations Committee; drafts the health lines.", "staff", UNIVERSITY),
    ("Brent Oakes", P, "government", "skeptical", 50, "Policy director in the Speaker's office.", "staff", ""),
    # --- the executive and local government ------------------------------------------------------
    ("Gov. Catherine Ames", P, "government", "neutral", 95, "Governor; her budget proposal left crisis beds out but funded 988 staffing.", "executive", ""),
    ("State Office of Budget and Management", F, "government", "skeptical", 75, "Prepares the governor's budget and scores every amendment's cost.", "executive", ""),
    ("Paul Renner", P, "government", "skeptical", 60, "State budget director; a former House Appropriations staffer.", "executive", ""),
    ("State Department of Health", F, "government", "supportive", 70, "Licenses hospitals and crisis services; runs the 988 grant program.", "executive|regulator", ""),
    ("Dr. Alan Reyes", P, "government", "supportive", 65, "State Health Commissioner; has asked for a statewide psychiatric bed registry.", "executive", HEALTH_SYSTEM),
    ("State Department of Insurance", F, "government", "neutral", 60, "Regulates health plans, including network adequacy for behavioral health.", "executive|regulator", ""),
    ("Janet Cole", P, "government", "neutral", 50, "Insurance Commissioner; reviewing behavioral-health network adequacy rules.", "executive", KEYSTONE),
    ("State Medicaid Office", F, "government", "neutral", 65, "Runs Medicaid managed care; pays for most crisis stabilization stays.", "executive|regulator", ""),
    ("Dr. Sandra Kim", P, "government", "supportive", 55, "State Medicaid director; piloted payment for mobile crisis teams.", "executive", CEDAR_VALLEY),
    ("Maria Solis", P, "government", "champion", 65, "Riverbend County Executive; funds the county share of the mobile crisis teams.", "county", HEALTH_SYSTEM),
    ("Dale Hutchins", P, "government", "supportive", 45, "Marlow County Commissioner; chairs the county's jail-diversion task force.", "county", ""),
    ("Ruth Ellison", P, "government", "supportive", 50, "Chair of the Ashford County Commission; pushes for a crisis unit in Ashford.", "county", EMS_UNION),
    ("Mayor Jerome Whitfield", P, "government", "supportive", 55, "Mayor of Riverbend; added crisis counselors to 911 dispatch.", "city", ""),
    ("Tri-County Community Mental Health Authority", O, "government", "supportive", 60, "Public authority that contracts outpatient and crisis mental-health care for the three counties.", "public mental health", HEALTH_SYSTEM),
    # --- public safety -------------------------------------------------------------------------
    ("Riverbend County Sheriff's Office", O, "public_safety", "supportive", 70, "Runs the county jail, which holds more people with serious mental illness than any hospital in the region; wants crisis beds so deputies stop booking people in crisis.", "law enforcement|jail diversion", EMS_UNION),
    ("Sheriff Robert Greer", P, "public_safety", "champion", 70, "Riverbend County Sheriff; calls the jail 'the region's largest psychiatric ward' and wants crisis beds instead.", "law enforcement", EMS_UNION),
    ("Riverbend Police Department", O, "public_safety", "supportive", 60, "City police; runs a crisis intervention team with the crisis line's counselors.", "law enforcement|co-responder", CRISIS_LINE),
    ("Chief Alicia Dunmore", P, "public_safety", "supportive", 55, "Riverbend police chief; expanded crisis intervention training to every patrol officer.", "law enforcement", CRISIS_LINE),
    ("Capt. Luis Moreno", P, "public_safety", "champion", 35, "Leads the police crisis intervention team; waits with people in crisis in emergency rooms most nights.", "law enforcement|co-responder", CRISIS_LINE),
    ("State Sheriffs' Association", O, "public_safety", "neutral", 70, "Association of the state's elected sheriffs; endorses legislative candidates.", "law enforcement|association", ""),
    ("State Association of Chiefs of Police", O, "public_safety", "neutral", 55, "Association of police chiefs; lobbies on training and mental-health response.", "law enforcement|association", ""),
    ("Marlow County Fire & Rescue", O, "public_safety", "supportive", 45, "Fire and ambulance service for Marlow County.", "fire|ems", EMS_UNION),
    ("Tri-County 911 Communications Center", O, "public_safety", "supportive", 50, "Answers 911 for the three counties and transfers behavioral-health calls to 988.", "dispatch", CRISIS_LINE),
    ("Ashford County Emergency Management", O, "public_safety", "neutral", 35, "Plans the county's emergency response, including ambulance coverage.", "emergency management", ""),
    ("Riverbend County Detention Center", O, "public_safety", "supportive", 40, "The county jail; a third of its people take psychiatric medication.", "jail", ""),
    # --- philanthropy --------------------------------------------------------------------------
    ("Ashby Foundation for Health", O, "philanthropy", "supportive", 65, "Private foundation that funds mental-health research and crisis services in the Riverbend region; paid for the boarding-cost study.", "funder|mental health", UNIVERSITY),
    ("Dr. Lorraine Ashby", P, "philanthropy", "champion", 60, "President of the Ashby Foundation for Health; a retired psychiatrist.", "funder", UNIVERSITY),
    ("Greater Riverbend Community Foundation", O, "philanthropy", "supportive", 60, "Community foundation pooling donors' funds for the three counties; mental health is one of its four priorities.", "funder", INTERFAITH),
    ("United Way of the Riverbend Region", O, "philanthropy", "supportive", 55, "Funds 211, crisis and basic-needs services across the region.", "funder", CRISIS_LINE),
    ("Harwell Family Foundation", O, "philanthropy", "neutral", 55, "Family foundation of the Harwell construction fortune; funds hospitals in Marlow and Ashford.", "funder|hospitals", ""),
    ("Eleanor Harwell", P, "philanthropy", "neutral", 50, "Chair of the Harwell Family Foundation; a long-time hospital donor.", "funder", ""),
    ("Statewide Health Legacy Fund", O, "philanthropy", "supportive", 60, "Health conversion foundation that funds access to care and consumer advocacy statewide.", "funder|health access", FAMILIES),
    ("Marlow Rotary Foundation", O, "philanthropy", "neutral", 25, "Small grants for Marlow County youth and families.", "funder", ""),
    ("Ashford Savings Bank Charitable Trust", O, "philanthropy", "neutral", 30, "Grants to Ashford County veterans and recovery programs.", "funder", ""),
    # --- business ------------------------------------------------------------------------------
    (CHAMBER, O, "business", "neutral", 60, "", "business|association", ""),
    ("Brightwater Logistics", O, "business", "neutral", 55, "Freight and warehousing company employing 3,200 people in Ashford County; its workforce data show mental illness as the top cause of long absences.", "employer", ""),
    ("Frank Delgado", P, "business", "neutral", 55, "CEO of Brightwater Logistics; finance chair of the Speaker's re-election committee.", "employer", ""),
    ("Ridgeline Manufacturing", O, "business", "neutral", 45, "Metal fabrication plant in Ashford with 1,100 employees.", "employer", ""),
    ("State Business Roundtable", O, "business", "skeptical", 65, "CEOs of the state's largest employers; opposes new recurring spending.", "association", ""),
    ("Free Enterprise Council", O, "business", "opposed", 55, "Business lobby for lower taxes; scores legislators on spending votes.", "association|fiscal", ""),
    ("Riverbend Savings & Trust", O, "business", "neutral", 35, "Regional bank headquartered in Riverbend.", "employer", ""),
    ("MedStaff Partners", O, "business", "neutral", 30, "Health staffing agency that fills nurse and psychiatric technician shifts.", "health industry", ""),
    ("Harwell Construction", O, "business", "supportive", 45, "Builds hospitals and clinics; bid on the last psychiatric unit expansion.", "construction", ""),
    ("Lakeside Pharmacy Group", O, "business", "neutral", 25, "Chain of 14 pharmacies in the three counties.", "health industry", ""),
    # --- media ---------------------------------------------------------------------------------
    (COMMUNITY_MEDIA, O, "media", "supportive", 35, "", "media|community", ""),
    ("Riverbend Herald", O, "media", "supportive", 70, "The region's daily newspaper; its editorial board has called for crisis beds in the budget.", "newspaper", HEALTH_SYSTEM),
    ("Maya Torres", P, "media", "neutral", 45, "Health reporter at the Riverbend Herald; wrote the series on emergency-room boarding.", "journalist", HEALTH_SYSTEM),
    ("WRVB Public Radio", O, "media", "neutral", 50, "Public radio station with a weekly statehouse program.", "radio", UNIVERSITY),
    ("Capitol Report", O, "media", "neutral", 55, "Subscription newsletter read by every legislative office.", "newsletter|statehouse", ""),
    ("Channel 8 News Riverbend", O, "media", "neutral", 55, "Local television news for the three counties.", "television", ""),
    ("Marlow Ledger", O, "media", "neutral", 30, "Weekly newspaper of Marlow County.", "newspaper", ""),
    ("Ashford Gazette", O, "media", "supportive", 30, "Weekly newspaper of Ashford County; has covered slow ambulance response for a year.", "newspaper", EMS_UNION),
    ("Talk 1340 WRBN", O, "media", "skeptical", 40, "Talk radio station; its morning host opposes new spending.", "radio", ""),
    ("Dan Kowalski", P, "media", "opposed", 40, "Host of the 'Morning Line' on Talk 1340; calls crisis funding 'a blank check'.", "radio host", ""),
    # --- insurers ------------------------------------------------------------------------------
    (KEYSTONE, O, "insurance", "champion", 70, "", "member|insurer", ""),
    (CEDAR_VALLEY, O, "insurance", "supportive", 60, "", "member|insurer", ""),
    ("Allied National Health", O, "insurance", "opposed", 70, "National insurer; fights behavioral-health network mandates in every state.", "insurer", ""),
    ("Summit Blue Insurance", O, "insurance", "skeptical", 65, "The state's largest commercial insurer.", "insurer", ""),
    ("State Association of Health Plans", O, "insurance", "skeptical", 70, "Trade association of the state's health insurers.", "insurer|association", KEYSTONE),
    ("Granite Life & Health", O, "insurance", "neutral", 40, "Small insurer selling employer plans.", "insurer", ""),
    ("Martin Hale", P, "insurance", "champion", 60, "CEO of Keystone Mutual Health Plan.", "insurer", KEYSTONE),
    ("Dr. Priya Nair", P, "insurance", "supportive", 45, "Medical director of Cedar Valley Health Plan; a psychiatrist.", "insurer", CEDAR_VALLEY),
    ("Victor Tramonte", P, "insurance", "opposed", 50, "State lobbyist for Allied National Health.", "insurer|lobbyist", ""),
    ("Carol Dunn", P, "insurance", "skeptical", 45, "Vice president for government affairs, Summit Blue Insurance.", "insurer|lobbyist", ""),
    # --- hospitals and health care -------------------------------------------------------------
    (HEALTH_SYSTEM, O, "health_care", "champion", 85, "", "member|hospital", ""),
    ("St. Brigid's Medical Center", O, "health_care", "supportive", 60, "Catholic hospital in Marlow; its emergency department boards psychiatric patients for days.", "hospital", HEALTH_SYSTEM),
    ("Ashford Community Hospital", O, "health_care", "supportive", 45, "Rural hospital with no psychiatric unit; transfers patients two hours away.", "hospital|rural", EMS_UNION),
    ("State Hospital Association", O, "health_care", "supportive", 75, "Association of the state's hospitals; lobbies on Medicaid rates and boarding.", "hospital|association", HEALTH_SYSTEM),
    ("Northgate Behavioral Health", O, "health_care", "neutral", 40, "Private psychiatric hospital operator; would bid for new crisis-bed contracts.", "hospital|psychiatric", ""),
    ("Marlow Valley Community Health Center", O, "health_care", "supportive", 40, "Federally qualified health center with integrated behavioral health.", "clinic", ""),
    ("State Psychiatric Society", O, "health_care", "supportive", 50, "Professional society of the state's psychiatrists.", "association|psychiatry", HEALTH_SYSTEM),
    ("State Nurses Association", O, "health_care", "supportive", 55, "Professional association of registered nurses.", "association|nursing", ""),
    ("Dr. Helen Marsh", P, "health_care", "champion", 55, "Chief medical officer of Riverbend Health System; a psychiatrist.", "hospital", HEALTH_SYSTEM),
    ("Anne Whitaker", P, "health_care", "champion", 65, "CEO of Riverbend Health System.", "hospital", HEALTH_SYSTEM),
    ("Dr. Omar Farouk", P, "health_care", "supportive", 40, "Emergency department director at St. Brigid's Medical Center.", "hospital|emergency medicine", HEALTH_SYSTEM),
    ("Greg Lindqvist", P, "health_care", "supportive", 40, "CEO of Ashford Community Hospital.", "hospital|rural", EMS_UNION),
    ("Sunrise Children's Behavioral Center", O, "health_care", "supportive", 35, "The region's only adolescent psychiatric unit, 16 beds.", "hospital|youth", EASTSIDE),
    ("Riverbend Psychiatric Associates", O, "health_care", "supportive", 30, "Group practice of 22 psychiatrists and nurse practitioners.", "clinic|psychiatry", ""),
    # --- non-profits ---------------------------------------------------------------------------
    (CRISIS_LINE, O, "nonprofit", "champion", 55, "", "member|crisis", ""),
    (SECOND_CHANCE, O, "nonprofit", "supportive", 20, "", "member|recovery", ""),
    (EASTSIDE, O, "nonprofit", "supportive", 30, "", "member|youth", ""),
    ("State Mental Health Alliance", O, "nonprofit", "champion", 55, "Statewide association of community mental-health providers.", "association|mental health", FAMILIES),
    ("Riverbend Homeless Coalition", O, "nonprofit", "supportive", 35, "Runs the region's shelters and street outreach.", "housing", HARBOR_HOUSE),
    ("Marlow Food Bank", O, "nonprofit", "neutral", 30, "Food pantry network of Marlow County.", "basic needs", ""),
    ("Veterans Outreach of Ashford", O, "nonprofit", "supportive", 30, "Peer support and crisis referrals for veterans.", "veterans", ""),
    ("Riverbend Legal Aid Society", O, "nonprofit", "supportive", 30, "Represents people facing involuntary commitment and eviction.", "legal", ""),
    ("Youth Suicide Prevention Project", O, "nonprofit", "champion", 35, "Trains schools in suicide prevention; runs a teen text line with the crisis line.", "youth|crisis", EASTSIDE),
    ("Ashford Recovery Alliance", O, "nonprofit", "supportive", 30, "Recovery housing and peer coaching in Ashford County.", "recovery", HARBOR_HOUSE),
    ("Riverbend Housing Partnership", O, "nonprofit", "supportive", 35, "Builds supportive housing for people leaving psychiatric care.", "housing", HARBOR_HOUSE),
    ("Bridges Reentry Services", O, "nonprofit", "supportive", 30, "Helps people leaving jail find treatment and housing.", "reentry", ""),
    ("Riverbend Senior Services", O, "nonprofit", "neutral", 30, "Home care and geriatric mental-health outreach.", "seniors", ""),
    # --- patient and consumer advocacy ----------------------------------------------------------
    (FAMILIES, O, "advocacy", "champion", 45, "", "member|families", ""),
    ("State Disability Rights Center", O, "advocacy", "supportive", 50, "Protection and advocacy agency for people with disabilities, including psychiatric disabilities.", "rights", FAMILIES),
    ("State Consumer Health Coalition", O, "advocacy", "supportive", 45, "Consumer advocates for affordable coverage and network adequacy.", "consumers", FAMILIES),
    ("Peer Voices Network", O, "advocacy", "champion", 35, "Statewide network of people with lived experience of mental illness.", "peers", HARBOR_HOUSE),
    ("Parents for Youth Mental Health", O, "advocacy", "supportive", 30, "Parents of teenagers who waited in emergency rooms for a bed.", "families|youth", FAMILIES),
    # --- labor ---------------------------------------------------------------------------------
    (EMS_UNION, O, "labor", "champion", 50, "", "member|union", ""),
    ("Jim Kowal", P, "labor", "champion", 45, "President of Tri-County EMS Workers Local 512; a paramedic for 22 years.", "union", EMS_UNION),
    ("Healthcare Workers United Local 1199R", O, "labor", "supportive", 60, "Union of 9,000 hospital and nursing-home workers.", "union|health", EMS_UNION),
    ("Riverbend Firefighters Local 88", O, "labor", "supportive", 45, "Union of the city's firefighters, who answer many crisis calls.", "union|fire", EMS_UNION),
    ("State Federation of Labor", O, "labor", "supportive", 75, "Federation of the state's unions; runs the largest labor PAC.", "union|federation", EMS_UNION),
    ("Riverbend Education Association", O, "labor", "supportive", 50, "Teachers' union; members see students in crisis every week.", "union|schools", EASTSIDE),
    ("Fraternal Order of Police Lodge 14", O, "labor", "neutral", 50, "Police officers' union; wants officers off psychiatric transport duty.", "union|police", ""),
    ("Building & Construction Trades Council", O, "labor", "supportive", 60, "Trades unions of the region; supports capital spending on new facilities.", "union|construction", ""),
    ("State Public Employees Council 31", O, "labor", "supportive", 55, "Union of state workers, including state psychiatric hospital staff.", "union|public sector", ""),
    # --- faith ---------------------------------------------------------------------------------
    (INTERFAITH, O, "faith", "champion", 45, "", "member|clergy", ""),
    ("Catholic Diocese of Marlow", O, "faith", "supportive", 60, "Diocese of 61 parishes in the three counties.", "catholic", INTERFAITH),
    ("Most Rev. Thomas Keane", P, "faith", "supportive", 55, "Bishop of Marlow; has preached on mental illness and the duty to care.", "catholic|clergy", INTERFAITH),
    ("Catholic Charities of Marlow", O, "faith", "supportive", 45, "Counseling, housing and refugee services of the diocese.", "catholic|services", INTERFAITH),
    ("First Baptist Church of Riverbend", O, "faith", "supportive", 40, "Large Black congregation downtown; runs a mental-health ministry.", "congregation", INTERFAITH),
    ("Rev. Dr. Calvin Moore", P, "faith", "champion", 45, "Senior pastor of First Baptist Church of Riverbend.", "clergy", INTERFAITH),
    ("Temple Beth Shalom", O, "faith", "supportive", 30, "Reform synagogue in Riverbend.", "congregation", INTERFAITH),
    ("Rabbi Miriam Adler", P, "faith", "supportive", 35, "Rabbi of Temple Beth Shalom; a trained hospital chaplain.", "clergy", INTERFAITH),
    ("Islamic Center of Riverbend", O, "faith", "supportive", 30, "Mosque and community center; runs a family counseling service.", "congregation", INTERFAITH),
    ("Imam Yusuf Rahman", P, "faith", "supportive", 35, "Imam of the Islamic Center of Riverbend.", "clergy", INTERFAITH),
    ("Gurdwara Sahib of Ashford", O, "faith", "supportive", 25, "Sikh gurdwara serving Ashford County.", "congregation", INTERFAITH),
    ("Greater Hope AME Church", O, "faith", "supportive", 35, "AME congregation on Riverbend's east side.", "congregation", INTERFAITH),
    ("Rev. Denise Carter", P, "faith", "champion", 40, "Pastor of Greater Hope AME Church; lost her brother to suicide.", "clergy", INTERFAITH),
    ("Riverbend Lutheran Synod", O, "faith", "supportive", 35, "Synod of 40 Lutheran congregations.", "congregation", INTERFAITH),
    # --- academia ------------------------------------------------------------------------------
    (UNIVERSITY, O, "academia", "champion", 60, "", "member|research", ""),
    ("Center for Behavioral Health Policy", O, "academia", "champion", 50, "Research center at Riverbend State University that models psychiatric bed need.", "research", UNIVERSITY),
    ("Dr. Nathan Osei", P, "academia", "champion", 45, "Director of the Center for Behavioral Health Policy.", "research", UNIVERSITY),
    ("Dr. Rebecca Lindgren", P, "academia", "supportive", 45, "Health economist; lead author of the boarding-cost study.", "research", UNIVERSITY),
    ("Marlow College of Nursing", O, "academia", "supportive", 30, "Trains psychiatric nurses for the region's hospitals.", "education|nursing", ""),
    ("State University Department of Psychiatry", O, "academia", "supportive", 45, "Medical school department that trains the state's psychiatrists.", "education|psychiatry", HEALTH_SYSTEM),
    ("State Health Policy Institute", O, "academia", "neutral", 55, "Nonpartisan think tank whose cost estimates legislators cite.", "research|budget", UNIVERSITY),
    ("Ashford Technical College", O, "academia", "neutral", 25, "Trains EMTs and paramedics.", "education|ems", EMS_UNION),
    # --- community groups ----------------------------------------------------------------------
    (HARBOR_HOUSE, O, "community", "champion", 45, "", "member|peers", ""),
    ("Eastside Neighborhood Association", O, "community", "supportive", 25, "Residents' association of Riverbend's east side.", "neighborhood", EASTSIDE),
    ("Ashford Veterans Post 217", O, "community", "supportive", 30, "Veterans' post; members drive veterans to appointments two hours away.", "veterans", EMS_UNION),
    ("Marlow Parents Network", O, "community", "supportive", 25, "Parents' mutual-aid network in Marlow County.", "families", FAMILIES),
    ("Riverbend NAACP Branch", O, "community", "supportive", 40, "Civil-rights branch; campaigns against jailing people in crisis.", "civil rights", INTERFAITH),
    ("Latino Community Center of Riverbend", O, "community", "supportive", 30, "Bilingual services and a promotoras program on mental health.", "community center", HARBOR_HOUSE),
    ("Riverbend Pride Center", O, "community", "supportive", 25, "LGBTQ community center with a youth crisis drop-in.", "community center|youth", EASTSIDE),
    ("Riverbend Rotary Club", O, "community", "neutral", 30, "Service club of the region's business and civic leaders.", "civic", ""),
    # --- other ---------------------------------------------------------------------------------
    ("Taxpayers for Budget Restraint", O, "other", "opposed", 55, "Anti-tax group; scores every budget amendment that adds recurring spending.", "fiscal", ""),
]
# fmt: on

# Where a stakeholder's position comes from: (date, evidence), for the ones the campaign watches.
POSITION_EVIDENCE: dict[str, tuple[str, str]] = {
    "Sen. Marcus Webb": (
        "2024-01-18",
        "Press conference: 'no new recurring line without an offset'.",
    ),
    "Rep. Dolores Fitch": (
        "2024-03-07",
        "Voted for the bed-registry bill in the House Health Committee.",
    ),
    "Sen. Raymond Ochoa": (
        "2024-02-15",
        "Floor speech: psychiatric boarding is 'a scandal in plain sight'.",
    ),
    "Rep. Thomas Brandt": (
        "2024-04-25",
        "Whipped against the minority's budget alternative, which funded crisis beds.",
    ),
    "Rep. Keisha Lawson": (
        "2024-08-28",
        "Co-signed the coalition's letter to the Appropriations chair.",
    ),
    "Gov. Catherine Ames": (
        "2024-01-30",
        "Budget address: funded 988 staffing, left crisis beds out.",
    ),
    "Dr. Alan Reyes": (
        "2024-02-14",
        "Asked the legislature for a statewide psychiatric bed registry.",
    ),
    "Maria Solis": (
        "2024-07-01",
        "County budget funds the county share of the mobile crisis teams.",
    ),
    "Riverbend County Sheriff's Office": (
        "2024-02-08",
        "Testimony to House Appropriations: the jail spends $2.1M a year on people in crisis.",
    ),
    "Sheriff Robert Greer": (
        "2024-07-14",
        "Told the Herald the jail is 'the region's largest psychiatric ward'.",
    ),
    "Riverbend Police Department": (
        "2023-11-01",
        "Started the co-responder program with the crisis line.",
    ),
    "Ashby Foundation for Health": (
        "2024-05-16",
        "Co-convened the roundtable on psychiatric boarding; funded the boarding-cost study.",
    ),
    "Dr. Lorraine Ashby": (
        "2024-05-16",
        "Opened the boarding roundtable: 'every county needs crisis beds'.",
    ),
    "Riverbend Herald": ("2024-09-15", "Editorial: 'Fund the beds'."),
    "Brightwater Logistics": (
        "2024-06-20",
        "Hosted the workforce round table; no position on the funding yet.",
    ),
    "State Business Roundtable": ("2024-01-22", "Letter against new recurring spending."),
    "Free Enterprise Council": (
        "2024-06-01",
        "Scored the crisis-bed amendment as wasteful spending.",
    ),
    "Taxpayers for Budget Restraint": (
        "2024-06-01",
        "Scored the crisis-bed amendment as new recurring spending.",
    ),
    "Allied National Health": (
        "2024-03-12",
        "Comments against the behavioral-health network-adequacy rule.",
    ),
    "Summit Blue Insurance": (
        "2024-03-12",
        "Joined the comments against the network-adequacy rule.",
    ),
    "State Association of Health Plans": (
        "2024-04-02",
        "Testified that crisis beds should be paid by the state, not premiums.",
    ),
    "Dan Kowalski": ("2024-06-03", "Called the crisis-bed amendment 'a blank check' on air."),
    "State Hospital Association": (
        "2024-02-14",
        "Joined the bed-registry working group; supports crisis beds.",
    ),
}

# (from, to, type, weight, evidence, source URL, date): written one by one.
# fmt: off
TIES: list[tuple[str, str, str, float, str, str, str]] = [
    # the out-of-sector bridges that "identify three" should find
    ("Sheriff Robert Greer", KESSLER, "personal_tie", 3, "Served in the same National Guard unit; the Speaker named Greer co-chair of his first campaign.", "", "2022-05-14"),
    ("Sheriff Robert Greer", MOREAU, "allied_with", 2, "Co-hosted the Ashford town hall on jail diversion with Rep. Moreau.", "", "2024-03-21"),
    ("Riverbend County Sheriff's Office", "House Appropriations Committee", "allied_with", 1.5, "Sheriff's testimony to House Appropriations on the cost of jailing people in crisis ($2.1M a year).", "", "2024-02-08"),
    ("Riverbend County Sheriff's Office", "Sheriff Robert Greer", "employs", 3, "Greer was elected sheriff in 2020 and re-elected in 2024.", "", "2024-11-05"),
    ("Riverbend County Sheriff's Office", "Riverbend County Detention Center", "regulates", 3, "The sheriff runs the county jail under state law.", "", ""),
    ("Sheriff Robert Greer", "State Sheriffs' Association", "board_seat", 2, "President of the State Sheriffs' Association for 2024–2025.", "", "2024-01-15"),
    ("State Sheriffs' Association", KESSLER, "allied_with", 2, "Endorsed the Speaker in the last two elections.", "", "2024-09-30"),
    ("State Sheriffs' Association", MANNING, "allied_with", 1.5, "Endorsed Rep. Manning in 2024.", "", "2024-09-30"),
    ("Riverbend County Sheriff's Office", CRISIS_LINE, "allied_with", 2, "Memorandum of understanding: deputies call the crisis line's mobile team before booking a person in crisis.", "", "2023-10-02"),
    ("Riverbend County Sheriff's Office", EMS_UNION, "allied_with", 1.5, "Joint letter with Local 512 asking for a crisis drop-off center.", "", "2024-04-11"),
    ("Dr. Lorraine Ashby", HOLLOWAY, "personal_tie", 3, "College roommates; Ashby chaired the Majority Leader's first Senate campaign.", "", "2012-06-01"),
    ("Ashby Foundation for Health", CASTELLANOS, "allied_with", 2, "Co-convened the 2024 roundtable on psychiatric boarding with Sen. Castellanos.", "", "2024-05-16"),
    ("Ashby Foundation for Health", "Dr. Lorraine Ashby", "employs", 3, "President since 2015 (annual report).", "", ""),
    ("Most Rev. Thomas Keane", "Ashby Foundation for Health", "board_seat", 2, "Bishop Keane has sat on the Ashby Foundation board since 2019 (annual report, list of trustees).", "", "2024-03-01"),
    ("Ashby Foundation for Health", "State Health Policy Institute", "funds", 2, "Grant for the Institute's cost model of crisis stabilization, which the Appropriations staff use.", "", "2024-07-01"),
    ("State Health Policy Institute", "Karen Liu", "allied_with", 1.5, "Liu cites the Institute's estimates in the committee's fiscal notes.", "", "2024-03-15"),
    ("Riverbend Herald", HOLLOWAY, "covers", 3, "The Majority Leader told the Herald the bed shortage is 'a crisis'.", "", "2024-10-22"),
    ("Riverbend Herald", MANNING, "covers", 2, "Front-page profile of the Appropriations chair and his budget.", "", "2024-04-07"),
    ("Riverbend Herald", KESSLER, "covers", 2, "Interview with the Speaker on recurring spending.", "", "2024-08-12"),
    ("Riverbend Herald", CASTELLANOS, "covers", 2, "Covered the bed-registry bill's death in appropriations.", "", "2024-05-30"),
    ("Riverbend Herald", MOREAU, "covers", 1.5, "Series on Ashford's ambulance response times quotes Rep. Moreau.", "", "2024-09-03"),
    ("Frank Delgado", KESSLER, "personal_tie", 3, "Finance chair of the Speaker's re-election committee.", "", "2024-02-01"),
    ("Brightwater Logistics", "Frank Delgado", "employs", 3, "CEO since 2016.", "", ""),
    ("Brightwater Logistics", HOLLOWAY, "funds", 1.5, "Company PAC gave $4,000 to the Majority Leader's campaign (state filing).", "", "2024-10-15"),
    ("Brightwater Logistics", KESSLER, "funds", 2, "Company PAC gave $5,000 to the Speaker's campaign (state filing).", "", "2024-10-15"),
    ("Brightwater Logistics", MOREAU, "allied_with", 1, "Hosted Rep. Moreau's workforce round table at its Ashford warehouse.", "", "2024-06-20"),
    ("Frank Delgado", CHAMBER, "board_seat", 2, "Member of the Chamber's board and chair of its workforce committee.", "", "2024-01-10"),
    # the campaign's own story
    (UNIVERSITY, MANNING, "allied_with", 2, "The boarding-cost study convinced the chair: 'the numbers are sobering'.", "", "2024-06-12"),
    ("Dr. Rebecca Lindgren", MANNING, "allied_with", 1.5, "Testified before House Appropriations on the boarding-cost study.", "", "2024-06-12"),
    ("Ashby Foundation for Health", UNIVERSITY, "funds", 3, "Grant of $180,000 for the boarding-cost study.", "", "2023-09-01"),
    (HEALTH_SYSTEM, HOLLOWAY, "allied_with", 1.5, "Meeting with the coalition: she asked for cost-of-boarding figures.", "", "2024-08-05"),
    (FAMILIES, CASTELLANOS, "allied_with", 2, "Families testified for her bed-registry bill.", "", "2023-03-14"),
    (EMS_UNION, MOREAU, "allied_with", 2, "Local 512 paramedics briefed Rep. Moreau on Ashford response times.", "", "2024-02-20"),
    (INTERFAITH, HOLLOWAY, "allied_with", 1, "Faith leaders' day at the Capitol: 40 clergy met the Majority Leader's staff.", "", "2024-11-06"),
    (KEYSTONE, MANNING, "funds", 2, "Keystone's PAC gave $3,500 to the Appropriations chair (state filing).", "", "2024-09-10"),
    (CRISIS_LINE, "Tri-County 911 Communications Center", "allied_with", 2, "Transfer protocol: 911 hands behavioral-health calls to 988 counselors.", "", "2023-07-16"),
    ("Riverbend Police Department", CRISIS_LINE, "allied_with", 2, "Co-responder program: a crisis counselor rides with officers on evening shifts.", "", "2023-11-01"),
    ("Riverbend Police Department", "Chief Alicia Dunmore", "employs", 3, "Police chief since 2021.", "", ""),
    ("Riverbend Police Department", "Capt. Luis Moreno", "employs", 2, "Commands the crisis intervention team.", "", ""),
    ("Chief Alicia Dunmore", MOREAU, "allied_with", 1, "Joint op-ed on crisis response in the Ashford Gazette.", "", "2024-07-09"),
    ("Chief Alicia Dunmore", "State Association of Chiefs of Police", "board_seat", 1.5, "Chairs the association's mental-health committee.", "", "2024-01-20"),
    ("Riverbend Police Department", "State Association of Chiefs of Police", "member_of", 1, "Department membership roster.", "", ""),
    ("Riverbend County Sheriff's Office", "State Sheriffs' Association", "member_of", 1, "Every county sheriff is a member.", "", ""),
    ("Fraternal Order of Police Lodge 14", KESSLER, "funds", 1.5, "Lodge PAC gave $2,500 to the Speaker (state filing).", "", "2024-09-01"),
    ("Fraternal Order of Police Lodge 14", "Riverbend Police Department", "member_of", 1, "The lodge represents the department's officers.", "", ""),
    ("Capt. Luis Moreno", CRISIS_LINE, "allied_with", 1.5, "Trains officers with the crisis line's counselors every quarter.", "", "2024-03-05"),
    # the legislature
    (HOLLOWAY, "Daniel Price", "employs", 3, "Chief of staff since 2019.", "", ""),
    ("House Appropriations Committee", "Karen Liu", "employs", 2, "Committee staff directory.", "", ""),
    (KESSLER, "Brent Oakes", "employs", 3, "Policy director in the Speaker's office.", "", ""),
    (KESSLER, "Rep. Thomas Brandt", "allied_with", 2, "The whip counts the Speaker's votes.", "", ""),
    (KESSLER, "Sen. Marcus Webb", "allied_with", 1.5, "Joint press conference against new recurring spending.", "", "2024-01-18"),
    (HOLLOWAY, "Sen. Marcus Webb", "allied_with", 1.5, "The Finance chair is the Majority Leader's deputy.", "", ""),
    (CASTELLANOS, "Sen. Raymond Ochoa", "allied_with", 1.5, "Co-sponsored the bed-registry bill across the aisle.", "", "2023-02-02"),
    (MOREAU, "Rep. Keisha Lawson", "allied_with", 2, "Co-signed the coalition's letter to the Appropriations chair.", "", "2024-08-28"),
    (MANNING, "Paul Renner", "personal_tie", 2, "Renner was Manning's committee staff director before becoming budget director.", "", ""),
    (CASTELLANOS, "Dr. Alan Reyes", "personal_tie", 1.5, "Worked together at the Department of Health before she ran for office.", "", ""),
    (MOREAU, "Ruth Ellison", "personal_tie", 1.5, "Neighbors in Ashford; Ellison managed Moreau's first campaign.", "", ""),
    (HOLLOWAY, "Maria Solis", "allied_with", 1.5, "The county executive and the Majority Leader share the Riverbend delegation's agenda.", "", ""),
    ("Mayor Jerome Whitfield", "Rep. Keisha Lawson", "personal_tie", 1, "Lawson was the mayor's deputy chief of staff.", "", ""),
    ("Martin Hale", "Sen. Marcus Webb", "personal_tie", 1, "Both sit on the Riverbend Rotary Club's board.", "", ""),
    ("Eleanor Harwell", MANNING, "personal_tie", 1.5, "Co-chaired the St. Brigid's hospital gala with the chair's wife.", "", "2024-04-27"),
    ("Most Rev. Thomas Keane", KESSLER, "personal_tie", 1.5, "The Speaker's parish belongs to the Diocese of Marlow; the bishop met him on the budget.", "", "2024-10-02"),
    ("Rev. Dr. Calvin Moore", HOLLOWAY, "personal_tie", 1.5, "The Majority Leader is a member of First Baptist Church.", "", ""),
    ("Jim Kowal", MOREAU, "personal_tie", 1, "Kowal's union hall is in Moreau's district; they meet monthly.", "", ""),
    ("Anne Whitaker", HOLLOWAY, "allied_with", 1, "Whitaker briefed the Majority Leader on emergency-room boarding.", "", "2024-08-05"),
    ("Gov. Catherine Ames", "State Office of Budget and Management", "regulates", 3, "The budget office reports to the governor.", "", ""),
    ("State Office of Budget and Management", "Paul Renner", "employs", 3, "Budget director since 2022.", "", ""),
    ("Gov. Catherine Ames", "Dr. Alan Reyes", "employs", 2, "Appointed health commissioner in 2021.", "", ""),
    ("Gov. Catherine Ames", "Janet Cole", "employs", 2, "Appointed insurance commissioner in 2023.", "", ""),
    ("State Department of Health", "Dr. Alan Reyes", "employs", 3, "The commissioner leads the department.", "", ""),
    ("State Department of Insurance", "Janet Cole", "employs", 3, "The commissioner leads the department.", "", ""),
    ("State Medicaid Office", "Dr. Sandra Kim", "employs", 3, "Medicaid director since 2020.", "", ""),
    ("Gov. Catherine Ames", HOLLOWAY, "allied_with", 1, "Same party; the governor's budget goes through her chamber first.", "", ""),
    # opposition
    ("Taxpayers for Budget Restraint", CASTELLANOS, "opposes", 2, "Scored her amendment as 'new recurring spending' in its legislative scorecard.", "", "2024-06-01"),
    ("Taxpayers for Budget Restraint", MOREAU, "opposes", 1.5, "Mailers in Ashford against 'Moreau's spending'.", "", "2024-10-01"),
    ("Taxpayers for Budget Restraint", KESSLER, "allied_with", 2, "Praised the Speaker's 'no new recurring spending' pledge.", "", "2024-01-19"),
    ("Taxpayers for Budget Restraint", "Free Enterprise Council", "allied_with", 1.5, "Joint budget scorecard.", "", "2024-06-01"),
    ("Allied National Health", "State Consumer Health Coalition", "opposes", 2, "Fought the coalition's network-adequacy rule at the Department of Insurance.", "", "2024-03-12"),
    ("Allied National Health", "Victor Tramonte", "employs", 2, "Registered lobbyist for Allied National (lobbyist registry).", "", "2024-01-05"),
    ("Victor Tramonte", KESSLER, "personal_tie", 1.5, "Former House staffer under the Speaker.", "", ""),
    ("Summit Blue Insurance", "Carol Dunn", "employs", 2, "Vice president for government affairs.", "", ""),
    ("Dan Kowalski", CASTELLANOS, "opposes", 1.5, "Called her amendment 'a blank check' on air.", "", "2024-06-03"),
    ("Talk 1340 WRBN", "Dan Kowalski", "employs", 2, "Host of the 'Morning Line'.", "", ""),
    ("Free Enterprise Council", "Healthcare Workers United Local 1199R", "opposes", 1, "Opposed the union's staffing-ratio bill.", "", "2023-04-18"),
    (KESSLER, "Sen. Raymond Ochoa", "opposes", 1, "Floor remarks against the minority's budget alternative.", "", "2024-04-25"),
    ("State Business Roundtable", "Taxpayers for Budget Restraint", "allied_with", 1, "Co-signed the letter against new recurring spending.", "", "2024-01-22"),
    # members among themselves and their partners
    (HEALTH_SYSTEM, CRISIS_LINE, "funds", 2, "Pays for the overnight crisis counselor shift.", "", "2024-01-01"),
    (HEALTH_SYSTEM, UNIVERSITY, "allied_with", 2, "Data-sharing agreement for the bed-need model.", "", "2023-08-15"),
    (HEALTH_SYSTEM, "Anne Whitaker", "employs", 3, "CEO since 2018.", "", ""),
    (HEALTH_SYSTEM, "Dr. Helen Marsh", "employs", 3, "Chief medical officer.", "", ""),
    (FAMILIES, HARBOR_HOUSE, "allied_with", 1.5, "Joint family and peer support nights.", "", ""),
    (INTERFAITH, FAMILIES, "allied_with", 1.5, "Congregations host family-to-family classes.", "", ""),
    (EMS_UNION, CRISIS_LINE, "allied_with", 2, "Paramedics and crisis counselors share the pooled dispatch data.", "", "2024-02-01"),
    (EMS_UNION, "Jim Kowal", "employs", 2, "Elected president of the local.", "", ""),
    (KEYSTONE, CRISIS_LINE, "funds", 2, "Pays for the mobile crisis pilot for its members.", "", "2023-05-01"),
    (KEYSTONE, "Martin Hale", "employs", 3, "CEO.", "", ""),
    (CEDAR_VALLEY, HARBOR_HOUSE, "funds", 1.5, "Contract for peer support after discharge.", "", "2024-04-01"),
    (CEDAR_VALLEY, "Dr. Priya Nair", "employs", 3, "Medical director.", "", ""),
    (KEYSTONE, CEDAR_VALLEY, "allied_with", 1, "Jointly publish network-adequacy figures.", "", ""),
    (HARBOR_HOUSE, SECOND_CHANCE, "allied_with", 2, "Harbor House absorbed Second Chance's programs in the merger.", "", ""),
    (EASTSIDE, "Youth Suicide Prevention Project", "allied_with", 1.5, "Shared school-based program.", "", ""),
    (UNIVERSITY, "Center for Behavioral Health Policy", "employs", 2, "The center is part of the School of Public Health.", "", ""),
    ("Center for Behavioral Health Policy", "Dr. Nathan Osei", "employs", 3, "Director.", "", ""),
    (UNIVERSITY, "Dr. Rebecca Lindgren", "employs", 2, "Associate professor of health economics.", "", ""),
    ("Dr. Nathan Osei", "State Mental Health Alliance", "board_seat", 1, "Research adviser on the Alliance's board.", "", ""),
    ("Dr. Helen Marsh", CRISIS_LINE, "board_seat", 1.5, "Medical adviser on the crisis line's board.", "", ""),
    ("Anne Whitaker", "State Hospital Association", "board_seat", 2, "Board chair of the State Hospital Association for 2024.", "", "2024-01-01"),
    ("Greg Lindqvist", "State Hospital Association", "board_seat", 1, "Represents rural hospitals on the board.", "", ""),
    ("Ashford Community Hospital", "Greg Lindqvist", "employs", 3, "CEO.", "", ""),
    ("St. Brigid's Medical Center", "Dr. Omar Farouk", "employs", 2, "Emergency department director.", "", ""),
    ("Catholic Diocese of Marlow", "St. Brigid's Medical Center", "member_of", 1, "St. Brigid's is a diocesan hospital (sponsorship agreement).", "", ""),
    ("Catholic Diocese of Marlow", "Most Rev. Thomas Keane", "employs", 3, "Bishop of Marlow since 2016.", "", ""),
    ("Catholic Diocese of Marlow", "Catholic Charities of Marlow", "funds", 2, "Annual diocesan appeal.", "", "2024-03-01"),
    ("Eleanor Harwell", "St. Brigid's Medical Center", "board_seat", 1.5, "Trustee of the hospital.", "", ""),
    ("Harwell Family Foundation", "Eleanor Harwell", "employs", 2, "Chair of the foundation.", "", ""),
    ("Harwell Construction", "Harwell Family Foundation", "funds", 2, "The company endows the family foundation.", "", ""),
    ("Harwell Construction", KESSLER, "funds", 1.5, "Gave $3,000 to the Speaker (state filing).", "", "2024-10-01"),
    ("Building & Construction Trades Council", KESSLER, "allied_with", 1.5, "Backs the Speaker's one-time capital package.", "", "2024-11-12"),
    ("First Baptist Church of Riverbend", "Rev. Dr. Calvin Moore", "employs", 2, "Senior pastor.", "", ""),
    ("Temple Beth Shalom", "Rabbi Miriam Adler", "employs", 2, "Rabbi.", "", ""),
    ("Islamic Center of Riverbend", "Imam Yusuf Rahman", "employs", 2, "Imam.", "", ""),
    ("Greater Hope AME Church", "Rev. Denise Carter", "employs", 2, "Pastor.", "", ""),
    ("Rev. Denise Carter", "Riverbend NAACP Branch", "board_seat", 1, "Vice president of the branch.", "", ""),
    ("Imam Yusuf Rahman", INTERFAITH, "board_seat", 1, "Board member of the network.", "", ""),
    ("Rev. Denise Carter", INTERFAITH, "board_seat", 1, "Chairs the network's mental-health task force.", "", ""),
    ("Rev. Dr. Calvin Moore", "United Way of the Riverbend Region", "board_seat", 1.5, "Board member since 2020.", "", ""),
    ("Rabbi Miriam Adler", "Greater Riverbend Community Foundation", "board_seat", 1, "Trustee.", "", ""),
    ("Dr. Lorraine Ashby", "Greater Riverbend Community Foundation", "board_seat", 1.5, "Trustee and chair of its health committee.", "", ""),
    ("Martin Hale", "State Association of Health Plans", "board_seat", 1.5, "Board member.", "", ""),
    ("Carol Dunn", "State Association of Health Plans", "board_seat", 1.5, "Chair of the government affairs committee.", "", ""),
    ("Martin Hale", CHAMBER, "board_seat", 1, "Board member of the Chamber.", "", ""),
    ("Jim Kowal", "State Federation of Labor", "board_seat", 1, "Executive board member.", "", ""),
    ("Maria Solis", "Tri-County Community Mental Health Authority", "board_seat", 2, "Chairs the authority's board.", "", ""),
    ("Ruth Ellison", "Ashford Savings Bank Charitable Trust", "board_seat", 1, "Trustee.", "", ""),
    ("Mayor Jerome Whitfield", "United Way of the Riverbend Region", "board_seat", 1, "Honorary board member.", "", ""),
    ("Frank Delgado", "State Business Roundtable", "board_seat", 1.5, "Member of the Roundtable.", "", ""),
    ("Riverbend Herald", "Maya Torres", "employs", 2, "Health reporter.", "", ""),
    ("Maya Torres", HEALTH_SYSTEM, "covers", 1.5, "Series 'Waiting for a bed' on emergency-room boarding.", "", "2024-02-11"),
    ("Maya Torres", FAMILIES, "covers", 1, "Profiled three families in the boarding series.", "", "2024-02-12"),
    ("Maya Torres", CASTELLANOS, "covers", 1, "Interview on the bed registry.", "", "2024-05-30"),
    ("Maya Torres", "Riverbend County Sheriff's Office", "covers", 1, "'The region's largest psychiatric ward': the jail.", "", "2024-07-14"),
    (COMMUNITY_MEDIA, FAMILIES, "covers", 1, "Call-in show with families of people in crisis.", "", "2024-03-19"),
    (COMMUNITY_MEDIA, EMS_UNION, "covers", 1, "Podcast episode with Local 512 paramedics.", "", "2024-05-07"),
    (COMMUNITY_MEDIA, INTERFAITH, "covers", 1, "Broadcast the interfaith vigil for people lost to suicide.", "", "2024-09-10"),
    ("State Department of Health", CRISIS_LINE, "funds", 2.5, "988 grant contract.", "", "2023-07-01"),
    ("State Department of Health", "Tri-County Community Mental Health Authority", "funds", 3, "State block grant for community mental health.", "", "2024-07-01"),
    ("State Department of Health", HARBOR_HOUSE, "funds", 1.5, "Supportive-housing services contract.", "", "2024-07-01"),
    ("State Department of Health", "Ashford Recovery Alliance", "funds", 1, "Recovery-housing grant.", "", "2024-07-01"),
    ("State Medicaid Office", CEDAR_VALLEY, "regulates", 2, "Medicaid managed-care contract.", "", ""),
    ("State Medicaid Office", "Tri-County Community Mental Health Authority", "funds", 2, "Medicaid payments for crisis stabilization.", "", ""),
    ("Maria Solis", CRISIS_LINE, "funds", 1.5, "County share of the mobile crisis teams in the county budget.", "", "2024-07-01"),
    ("Tri-County Community Mental Health Authority", CRISIS_LINE, "funds", 2, "Contract for the mobile crisis teams.", "", "2024-07-01"),
    ("Tri-County Community Mental Health Authority", HARBOR_HOUSE, "funds", 1.5, "Clubhouse contract.", "", "2024-07-01"),
    ("Dale Hutchins", "Bridges Reentry Services", "allied_with", 1, "The jail-diversion task force refers people to Bridges.", "", ""),
    ("Riverbend County Detention Center", "Bridges Reentry Services", "allied_with", 1.5, "Discharge planning partnership.", "", ""),
    ("Riverbend NAACP Branch", "Riverbend County Sheriff's Office", "opposes", 1, "Protested the jailing of people in mental-health crisis.", "", "2023-08-20"),
    ("Peer Voices Network", "State Disability Rights Center", "allied_with", 1.5, "Joint campaign for peer respite funding.", "", ""),
    ("State Mental Health Alliance", "State Consumer Health Coalition", "allied_with", 1.5, "Joint network-adequacy comments.", "", "2024-03-12"),
    ("Healthcare Workers United Local 1199R", "State Nurses Association", "allied_with", 1.5, "Joint staffing campaign.", "", ""),
    ("Riverbend Firefighters Local 88", EMS_UNION, "allied_with", 2, "Mutual-aid pact and shared bargaining table.", "", ""),
    ("Youth Suicide Prevention Project", CRISIS_LINE, "allied_with", 1.5, "Teen text line run together.", "", ""),
    ("Parents for Youth Mental Health", "Sunrise Children's Behavioral Center", "allied_with", 1, "Family advisory council.", "", ""),
    ("Riverbend Education Association", "Youth Suicide Prevention Project", "allied_with", 1, "Suicide-prevention training for teachers.", "", ""),
    ("Veterans Outreach of Ashford", "Ashford Veterans Post 217", "allied_with", 1.5, "Shared peer-support volunteers.", "", ""),
    ("Latino Community Center of Riverbend", HARBOR_HOUSE, "allied_with", 1, "Bilingual peer specialists.", "", ""),
    ("Riverbend Pride Center", EASTSIDE, "allied_with", 1, "Youth drop-in referrals.", "", ""),
    ("Riverbend Homeless Coalition", "Riverbend Housing Partnership", "allied_with", 1.5, "Coordinated entry for supportive housing.", "", ""),
    ("Riverbend Legal Aid Society", "State Disability Rights Center", "allied_with", 1, "Co-counsel on commitment cases.", "", ""),
    ("State University Department of Psychiatry", HEALTH_SYSTEM, "allied_with", 2, "Residency program at the health system's psychiatric unit.", "", ""),
    ("Marlow College of Nursing", "St. Brigid's Medical Center", "allied_with", 1, "Clinical placements for psychiatric nursing students.", "", ""),
    ("Ashford Technical College", EMS_UNION, "allied_with", 1, "Paramedic apprenticeship with the union.", "", ""),
    ("Northgate Behavioral Health", "State Hospital Association", "member_of", 1, "Association member.", "", ""),
    ("MedStaff Partners", "Northgate Behavioral Health", "allied_with", 1, "Staffing contract.", "", ""),
    ("Riverbend Savings & Trust", "Riverbend Housing Partnership", "funds", 1, "Construction loan for 40 supportive units.", "", "2024-05-01"),
    ("Riverbend Rotary Club", "Riverbend Homeless Coalition", "funds", 0.5, "Winter coat drive.", "", ""),
    ("Lakeside Pharmacy Group", "Marlow Valley Community Health Center", "allied_with", 0.5, "340B pharmacy partnership.", "", ""),
    ("Ridgeline Manufacturing", "Rep. Samuel Kirby", "funds", 1, "Company PAC gave $1,500 (state filing).", "", "2024-10-01"),
    ("Riverbend Savings & Trust", MANNING, "funds", 1, "Bank PAC gave $2,000 (state filing).", "", "2024-10-01"),
    ("Summit Blue Insurance", KESSLER, "funds", 1.5, "Company PAC gave $4,000 (state filing).", "", "2024-09-15"),
    ("Summit Blue Insurance", HOLLOWAY, "funds", 1.5, "Company PAC gave $4,000 (state filing).", "", "2024-09-15"),
    # more of the landscape
    ("Sheriff Robert Greer", "Chief Alicia Dunmore", "allied_with", 1.5, "Jointly run the county's crisis intervention team academy.", "", "2023-09-12"),
    ("Sheriff Robert Greer", "Maria Solis", "allied_with", 1.5, "The county executive and the sheriff co-chair the criminal justice coordinating council.", "", ""),
    ("Sheriff Robert Greer", "Dale Hutchins", "allied_with", 1, "Greer spoke at the Marlow jail-diversion task force.", "", "2024-02-27"),
    ("Riverbend County Sheriff's Office", "Tri-County 911 Communications Center", "member_of", 1, "The sheriff's office sits on the 911 center's governing board.", "", ""),
    ("Ashby Foundation for Health", "Riverbend Herald", "funds", 1, "Underwrote the Herald's health reporting fellowship (Maya Torres's position).", "", "2023-10-01"),
    ("Dr. Lorraine Ashby", "State Psychiatric Society", "member_of", 1, "Retired member of the society.", "", ""),
    ("Dr. Lorraine Ashby", "Dr. Helen Marsh", "personal_tie", 1, "Marsh trained under Ashby in residency.", "", ""),
    ("Riverbend Herald", FAMILIES, "covers", 1, "Editorial page ran a family's letter on boarding.", "", "2024-03-02"),
    ("Riverbend Herald", UNIVERSITY, "covers", 1.5, "Reported the boarding-cost study's findings on the front page.", "", "2024-06-13"),
    ("Riverbend Herald", EMS_UNION, "covers", 1, "Story on paramedics waiting with patients in emergency rooms.", "", "2024-02-25"),
    ("Channel 8 News Riverbend", CRISIS_LINE, "covers", 1, "Segment on 988's first year.", "", "2024-07-16"),
    ("Channel 8 News Riverbend", FAMILIES, "covers", 1, "Interview with a mother who waited four days for a bed.", "", "2024-05-08"),
    ("WRVB Public Radio", INTERFAITH, "covers", 1, "Segment on clergy and mental illness.", "", "2024-10-04"),
    ("Rep. Samuel Kirby", "Ashford Community Hospital", "allied_with", 1, "Secured a telehealth grant for the hospital.", "", "2023-06-30"),
    ("Sen. Evelyn Park", "St. Brigid's Medical Center", "allied_with", 1, "Toured the emergency department with the director.", "", "2024-04-19"),
    ("Rep. Dolores Fitch", "State Nurses Association", "member_of", 1, "A registered nurse and association member.", "", ""),
    ("Rep. Keisha Lawson", FAMILIES, "allied_with", 1.5, "Speaks at the families' annual walk.", "", "2024-05-18"),
    ("Rep. Luis Arroyo", EASTSIDE, "allied_with", 1, "Former board member of the center.", "", ""),
    ("Sen. Raymond Ochoa", "Healthcare Workers United Local 1199R", "allied_with", 1.5, "Carried the union's staffing bill.", "", "2023-04-18"),
    ("Catholic Diocese of Marlow", INTERFAITH, "member_of", 1, "The diocese joined the network as an observer.", "", "2023-01-15"),
    ("Riverbend Lutheran Synod", "Riverbend Housing Partnership", "funds", 1, "Tithe from the synod's social ministry fund.", "", "2024-03-01"),
    ("Greater Riverbend Community Foundation", "Riverbend Pride Center", "funds", 0.8, "Grant of $20,000 for the youth drop-in.", "", "2023-12-31"),
    ("Greater Riverbend Community Foundation", "Riverbend NAACP Branch", "funds", 0.8, "Grant of $15,000 for civic engagement.", "", "2023-12-31"),
    ("Brightwater Logistics", "United Way of the Riverbend Region", "funds", 1, "Workplace giving campaign, $210,000 in 2024.", "", "2024-12-15"),
    ("Ridgeline Manufacturing", "United Way of the Riverbend Region", "funds", 0.8, "Workplace giving campaign.", "", "2024-12-15"),
    ("Riverbend Savings & Trust", "Greater Riverbend Community Foundation", "funds", 1, "Donor-advised fund of the bank.", "", ""),
    ("Summit Blue Insurance", "Allied National Health", "allied_with", 1.5, "Joint comments against the network-adequacy rule.", "", "2024-03-12"),
    ("Granite Life & Health", "Summit Blue Insurance", "allied_with", 0.5, "Reinsurance arrangement.", "", ""),
    (HEALTH_SYSTEM, "St. Brigid's Medical Center", "allied_with", 1.5, "Psychiatric transfer agreement.", "", "2023-05-01"),
    (HEALTH_SYSTEM, "Ashford Community Hospital", "allied_with", 1.5, "Telepsychiatry consults for Ashford's emergency room.", "", "2023-11-01"),
    (HEALTH_SYSTEM, "Sunrise Children's Behavioral Center", "allied_with", 1, "Shared child psychiatrists.", "", ""),
    ("Riverbend Psychiatric Associates", HEALTH_SYSTEM, "allied_with", 1, "Outpatient follow-up contract.", "", ""),
    ("Northgate Behavioral Health", "Rep. Thomas Brandt", "funds", 1, "Company PAC gave $1,000 (state filing).", "", "2024-08-01"),
    ("State Hospital Association", "Dr. Alan Reyes", "allied_with", 1, "Working group on a statewide bed registry.", "", "2024-02-14"),
    ("Dr. Priya Nair", "Dr. Sandra Kim", "allied_with", 1, "Designed the mobile crisis payment pilot together.", "", "2023-09-01"),
    ("Janet Cole", "State Consumer Health Coalition", "allied_with", 0.8, "Invited the coalition onto the network-adequacy advisory group.", "", "2024-04-01"),
    ("Brent Oakes", "Taxpayers for Budget Restraint", "allied_with", 1, "Former policy analyst of the group.", "", ""),
    ("Daniel Price", "Greater Riverbend Community Foundation", "board_seat", 0.8, "Serves on its grants committee as a volunteer.", "", ""),
    ("Karen Liu", UNIVERSITY, "member_of", 0.5, "Alumna of the School of Public Health.", "", ""),
    ("Riverbend Rotary Club", "Marlow Rotary Foundation", "allied_with", 0.5, "Sister clubs.", "", ""),
    ("Tri-County 911 Communications Center", "Marlow County Fire & Rescue", "allied_with", 1, "Dispatches its ambulances.", "", ""),
    ("Ashford County Emergency Management", "Tri-County 911 Communications Center", "allied_with", 1, "Shared ambulance coverage plan.", "", ""),
    ("Marlow County Fire & Rescue", EMS_UNION, "allied_with", 1.5, "Local 512 represents its paramedics.", "", ""),
]
# fmt: on

# Families of ties, spelled out from tables ----------------------------------------------------

COMMITTEES = {
    "House Appropriations Committee": [
        (MANNING, "chair"),
        (MOREAU, "vice chair"),
        ("Rep. Keisha Lawson", "member"),
        ("Rep. Samuel Kirby", "member"),
        ("Rep. Nora Whitcomb", "member"),
        ("Rep. Thomas Brandt", "member"),
    ],
    "Senate Health & Human Services Committee": [
        (CASTELLANOS, "chair"),
        ("Sen. Frank DiNapoli", "member"),
        ("Sen. Evelyn Park", "member"),
        ("Sen. Raymond Ochoa", "member"),
    ],
    "House Health Committee": [
        ("Rep. Dolores Fitch", "chair"),
        ("Rep. Luis Arroyo", "member"),
        ("Rep. Keisha Lawson", "member"),
    ],
    "Senate Finance Committee": [
        ("Sen. Marcus Webb", "chair"),
        (HOLLOWAY, "ex officio member"),
        ("Sen. Frank DiNapoli", "member"),
    ],
    "House Majority Caucus": [
        (KESSLER, "leader"),
        (MANNING, "member"),
        ("Rep. Thomas Brandt", "whip"),
        ("Rep. Nora Whitcomb", "member"),
        ("Rep. Samuel Kirby", "member"),
        ("Rep. Dolores Fitch", "member"),
    ],
    "House Minority Caucus": [
        (MOREAU, "member"),
        ("Rep. Keisha Lawson", "member"),
        ("Rep. Luis Arroyo", "member"),
    ],
    "Senate Majority Caucus": [
        (HOLLOWAY, "leader"),
        ("Sen. Marcus Webb", "member"),
        (CASTELLANOS, "member"),
        ("Sen. Frank DiNapoli", "member"),
    ],
    "Senate Minority Caucus": [
        ("Sen. Raymond Ochoa", "leader"),
        ("Sen. Evelyn Park", "member"),
    ],
}
# committee → what its budget vote decides
BUDGET_VOTES = {
    "House Appropriations Committee": [
        "State Department of Health",
        "State Medicaid Office",
        "Tri-County Community Mental Health Authority",
    ],
    "Senate Finance Committee": ["State Department of Health", "State Medicaid Office"],
    "Senate Health & Human Services Committee": [
        "State Department of Health",
        "State Department of Insurance",
    ],
    "House Health Committee": ["State Department of Health"],
}
REGULATED = {
    "State Department of Insurance": [
        KEYSTONE,
        CEDAR_VALLEY,
        "Allied National Health",
        "Summit Blue Insurance",
        "Granite Life & Health",
    ],
    "State Department of Health": [
        HEALTH_SYSTEM,
        "St. Brigid's Medical Center",
        "Ashford Community Hospital",
        "Northgate Behavioral Health",
        "Sunrise Children's Behavioral Center",
        "Marlow Valley Community Health Center",
        CRISIS_LINE,
        "Tri-County 911 Communications Center",
    ],
}
ASSOCIATIONS: dict[str, list[str]] = {
    "State Hospital Association": [
        HEALTH_SYSTEM,
        "St. Brigid's Medical Center",
        "Ashford Community Hospital",
        "Sunrise Children's Behavioral Center",
    ],
    "State Association of Health Plans": [
        KEYSTONE,
        CEDAR_VALLEY,
        "Allied National Health",
        "Summit Blue Insurance",
        "Granite Life & Health",
    ],
    "State Federation of Labor": [
        EMS_UNION,
        "Healthcare Workers United Local 1199R",
        "Riverbend Firefighters Local 88",
        "Riverbend Education Association",
        "State Public Employees Council 31",
        "Building & Construction Trades Council",
    ],
    INTERFAITH: [
        "First Baptist Church of Riverbend",
        "Temple Beth Shalom",
        "Islamic Center of Riverbend",
        "Gurdwara Sahib of Ashford",
        "Greater Hope AME Church",
        "Riverbend Lutheran Synod",
        "Catholic Charities of Marlow",
    ],
    CHAMBER: [
        "Brightwater Logistics",
        "Ridgeline Manufacturing",
        "Riverbend Savings & Trust",
        "MedStaff Partners",
        "Harwell Construction",
        "Lakeside Pharmacy Group",
        KEYSTONE,
        HEALTH_SYSTEM,
    ],
    "State Business Roundtable": [CHAMBER, "Brightwater Logistics", "Summit Blue Insurance"],
    "State Mental Health Alliance": [
        CRISIS_LINE,
        HARBOR_HOUSE,
        EASTSIDE,
        SECOND_CHANCE,
        "Ashford Recovery Alliance",
        "Youth Suicide Prevention Project",
        "Tri-County Community Mental Health Authority",
    ],
    "State Psychiatric Society": [
        "Riverbend Psychiatric Associates",
        "Dr. Helen Marsh",
        "Dr. Priya Nair",
    ],
    "State Sheriffs' Association": [],
    "Riverbend Rotary Club": ["Martin Hale", "Sen. Marcus Webb", "Frank Delgado"],
}
# (donor, recipient): campaign contributions in the 2024 cycle
CONTRIBUTIONS = [
    (KEYSTONE, CASTELLANOS),
    ("Allied National Health", KESSLER),
    ("Allied National Health", "Sen. Marcus Webb"),
    ("Allied National Health", "Rep. Thomas Brandt"),
    ("State Association of Health Plans", KESSLER),
    ("State Association of Health Plans", HOLLOWAY),
    ("State Association of Health Plans", "Sen. Marcus Webb"),
    (EMS_UNION, MOREAU),
    (EMS_UNION, CASTELLANOS),
    (EMS_UNION, "Rep. Keisha Lawson"),
    ("Healthcare Workers United Local 1199R", CASTELLANOS),
    ("Healthcare Workers United Local 1199R", "Sen. Raymond Ochoa"),
    ("Healthcare Workers United Local 1199R", "Sen. Evelyn Park"),
    ("Healthcare Workers United Local 1199R", "Rep. Keisha Lawson"),
    ("State Federation of Labor", HOLLOWAY),
    ("State Federation of Labor", "Sen. Raymond Ochoa"),
    ("State Federation of Labor", MOREAU),
    ("Building & Construction Trades Council", KESSLER),
    ("Building & Construction Trades Council", HOLLOWAY),
    ("Building & Construction Trades Council", MANNING),
    ("Free Enterprise Council", KESSLER),
    ("Free Enterprise Council", "Rep. Thomas Brandt"),
    ("Free Enterprise Council", "Rep. Nora Whitcomb"),
    ("Free Enterprise Council", "Sen. Marcus Webb"),
    ("State Hospital Association", HOLLOWAY),
    ("State Hospital Association", MANNING),
    ("State Hospital Association", CASTELLANOS),
    ("State Hospital Association", KESSLER),
    ("State Sheriffs' Association", KESSLER),
    ("Fraternal Order of Police Lodge 14", "Rep. Thomas Brandt"),
    ("State Public Employees Council 31", "Sen. Evelyn Park"),
    ("State Public Employees Council 31", MOREAU),
    ("State Business Roundtable", "Sen. Marcus Webb"),
    ("State Business Roundtable", KESSLER),
    ("Riverbend Firefighters Local 88", "Rep. Keisha Lawson"),
    ("State Nurses Association", "Rep. Dolores Fitch"),
    ("State Psychiatric Society", CASTELLANOS),
    ("Summit Blue Insurance", "Sen. Marcus Webb"),
]
# (funder, grantee, purpose)
GRANTS = [
    ("Ashby Foundation for Health", CRISIS_LINE, "text and chat counselors"),
    ("Ashby Foundation for Health", FAMILIES, "family-to-family education classes"),
    ("Ashby Foundation for Health", HARBOR_HOUSE, "the peer-run respite house"),
    ("Ashby Foundation for Health", "Center for Behavioral Health Policy", "the bed-need model"),
    ("Ashby Foundation for Health", "Youth Suicide Prevention Project", "school trainings"),
    ("Greater Riverbend Community Foundation", EASTSIDE, "after-school counseling"),
    ("Greater Riverbend Community Foundation", "Riverbend Homeless Coalition", "street outreach"),
    ("Greater Riverbend Community Foundation", "Marlow Food Bank", "mobile pantries"),
    ("Greater Riverbend Community Foundation", HARBOR_HOUSE, "the clubhouse"),
    (
        "Greater Riverbend Community Foundation",
        "Latino Community Center of Riverbend",
        "promotoras on mental health",
    ),
    (
        "Greater Riverbend Community Foundation",
        INTERFAITH,
        "congregational mental-health first aid",
    ),
    ("United Way of the Riverbend Region", CRISIS_LINE, "211 and 988 call handling"),
    ("United Way of the Riverbend Region", "Riverbend Senior Services", "geriatric outreach"),
    ("United Way of the Riverbend Region", "Riverbend Legal Aid Society", "eviction defense"),
    ("United Way of the Riverbend Region", "Bridges Reentry Services", "reentry navigators"),
    ("United Way of the Riverbend Region", "Veterans Outreach of Ashford", "peer support"),
    ("United Way of the Riverbend Region", EASTSIDE, "family support"),
    (
        "Harwell Family Foundation",
        "St. Brigid's Medical Center",
        "the emergency department expansion",
    ),
    ("Harwell Family Foundation", "Ashford Community Hospital", "telepsychiatry carts"),
    ("Harwell Family Foundation", "Sunrise Children's Behavioral Center", "a family lounge"),
    (
        "Statewide Health Legacy Fund",
        "Marlow Valley Community Health Center",
        "integrated behavioral health",
    ),
    (
        "Statewide Health Legacy Fund",
        "State Consumer Health Coalition",
        "network-adequacy monitoring",
    ),
    ("Statewide Health Legacy Fund", "Peer Voices Network", "peer leadership training"),
    (
        "Statewide Health Legacy Fund",
        "Tri-County Community Mental Health Authority",
        "crisis data systems",
    ),
    ("Statewide Health Legacy Fund", FAMILIES, "testimony training for families"),
    (
        "Statewide Health Legacy Fund",
        "State Disability Rights Center",
        "monitoring of psychiatric boarding",
    ),
    ("Marlow Rotary Foundation", "Marlow Parents Network", "parent support circles"),
    ("Ashford Savings Bank Charitable Trust", "Ashford Veterans Post 217", "rides to appointments"),
    ("Ashford Savings Bank Charitable Trust", "Ashford Recovery Alliance", "recovery housing"),
]
# (outlet, subject): news coverage
COVERAGE = [
    ("WRVB Public Radio", CASTELLANOS),
    ("WRVB Public Radio", MANNING),
    ("WRVB Public Radio", UNIVERSITY),
    ("WRVB Public Radio", EMS_UNION),
    ("WRVB Public Radio", "Sheriff Robert Greer"),
    ("Capitol Report", HOLLOWAY),
    ("Capitol Report", KESSLER),
    ("Capitol Report", MANNING),
    ("Capitol Report", "Sen. Marcus Webb"),
    ("Capitol Report", CASTELLANOS),
    ("Capitol Report", "Rep. Thomas Brandt"),
    ("Capitol Report", "Gov. Catherine Ames"),
    ("Channel 8 News Riverbend", "Riverbend County Sheriff's Office"),
    ("Channel 8 News Riverbend", "Riverbend Police Department"),
    ("Channel 8 News Riverbend", KESSLER),
    ("Channel 8 News Riverbend", HEALTH_SYSTEM),
    ("Channel 8 News Riverbend", "Mayor Jerome Whitfield"),
    ("Marlow Ledger", "Sen. Evelyn Park"),
    ("Marlow Ledger", "Sen. Frank DiNapoli"),
    ("Marlow Ledger", "St. Brigid's Medical Center"),
    ("Marlow Ledger", "Dale Hutchins"),
    ("Ashford Gazette", MOREAU),
    ("Ashford Gazette", "Rep. Samuel Kirby"),
    ("Ashford Gazette", "Ashford Community Hospital"),
    ("Ashford Gazette", "Ruth Ellison"),
    ("Ashford Gazette", "Brightwater Logistics"),
    ("Talk 1340 WRBN", KESSLER),
    ("Talk 1340 WRBN", "Rep. Thomas Brandt"),
    ("Dan Kowalski", KESSLER),
    ("Riverbend Herald", HEALTH_SYSTEM),
    ("Riverbend Herald", "Riverbend County Sheriff's Office"),
    ("Riverbend Herald", CRISIS_LINE),
    ("Riverbend Herald", "Gov. Catherine Ames"),
]
# (member organization, employee, role): staff who sit on the other side of a relationship
STAFF = [
    (
        "Healthcare Workers United Local 1199R",
        "St. Brigid's Medical Center",
        "represents its nurses and aides",
    ),
    ("Healthcare Workers United Local 1199R", HEALTH_SYSTEM, "represents 2,400 of its workers"),
    ("State Public Employees Council 31", "State Department of Health", "represents its staff"),
    (
        "Riverbend Firefighters Local 88",
        "Riverbend Police Department",
        "shares the public-safety bargaining council",
    ),
]


def rows() -> tuple[list[list[str]], list[list[str]]]:
    """The elements and connections sheets."""
    rng = random.Random(SEED)  # noqa: S311 - a fixed demo, not a secret
    elements = [
        [
            "Label",
            "Type",
            "Sector",
            "Position",
            "Influence",
            "Description",
            "Tags",
            "Held by",
            "Position date",
            "Position evidence",
        ]
    ]
    names = set()
    for name, kind, sector, position, influence, description, tags, held_by in ELEMENTS:
        names.add(name)
        on, evidence = POSITION_EVIDENCE.get(name, ("", ""))
        elements.append(
            [name, kind, sector, position, str(influence), description, tags, held_by, on, evidence]
        )
    if unknown := set(POSITION_EVIDENCE) - names:
        raise SystemExit(f"position evidence for unknown stakeholders: {sorted(unknown)}")

    connections = [["From", "To", "Type", "Weight", "Evidence", "Source URL", "Date"]]

    def add(
        source: str, target: str, kind: str, weight: float, evidence: str, url: str, on: str
    ) -> None:
        if source not in names or target not in names:
            raise SystemExit(f"unknown stakeholder in a tie: {source!r} → {target!r}")
        connections.append([source, target, kind, f"{weight:g}", evidence, url, on])

    for source, target, kind, weight, evidence, url, on in TIES:
        if not target:
            continue  # a placeholder row kept out of the file
        add(source, target, kind, weight, evidence, url, on)
    for committee, members in COMMITTEES.items():
        for member, role in members:
            add(
                member,
                committee,
                "member_of",
                2 if role != "member" else 1,
                f"{role.capitalize()} of the {committee}, per the 2024 session roster.",
                "",
                "2024-01-10",
            )
    for committee, agencies in BUDGET_VOTES.items():
        for agency in agencies:
            add(
                committee,
                agency,
                "votes_on",
                2,
                f"The {committee} votes on the {agency}'s budget line every session.",
                "",
                "",
            )
    for regulator, regulated in REGULATED.items():
        for name in regulated:
            add(
                regulator,
                name,
                "regulates",
                1.5,
                f"Licensed and examined by the {regulator} (license registry).",
                "",
                "",
            )
    for association, listed in ASSOCIATIONS.items():
        for member in listed:
            add(
                member,
                association,
                "member_of",
                1,
                f"Listed among the members of the {association} (its 2024 membership directory).",
                "",
                "2024-01-01",
            )
    for donor, recipient in CONTRIBUTIONS:
        amount = rng.choice([500, 1000, 1500, 2000, 2500, 3000, 4000, 5000])
        month = rng.randint(3, 10)
        add(
            donor,
            recipient,
            "funds",
            round(0.5 + amount / 2000, 1),
            f"State campaign-finance filing: ${amount:,} to the candidate's committee in the 2024 cycle.",
            "",
            f"2024-{month:02d}-{rng.randint(1, 28):02d}",
        )
    for funder, grantee, purpose in GRANTS:
        amount = rng.choice([15, 25, 40, 60, 75, 100, 150]) * 1000
        add(
            funder,
            grantee,
            "funds",
            round(0.5 + amount / 50000, 1),
            f"Grant of ${amount:,} for {purpose} (the funder's 2023 annual report).",
            "",
            "2023-12-31",
        )
    for outlet, subject in COVERAGE:
        stories = rng.randint(2, 9)
        add(
            outlet,
            subject,
            "covers",
            round(0.5 + stories / 4, 1),
            f"{stories} stories or segments about them in 2024 (archive search).",
            "",
            "2024-12-31",
        )
    for employer, other, role in STAFF:
        add(employer, other, "allied_with", 1, f"The union {role}.", "", "")
    return elements, connections


def write() -> None:
    elements, connections = rows()
    for filename, table in (("elements.csv", elements), ("connections.csv", connections)):
        with (HERE / filename).open("w", newline="", encoding="utf-8") as stream:
            csv.writer(stream, lineterminator="\n").writerows(table)
    print(f"{len(elements) - 1} stakeholders, {len(connections) - 1} relationships")  # noqa: T201


if __name__ == "__main__":
    write()
