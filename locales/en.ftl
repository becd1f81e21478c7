start =
    👋 Hi! I'm Astrolus. I turn a product photo into a short video with MiniMax Hailuo.

    How it works:
    1. Send a photo of your product (or the image as a file: JPEG, PNG or WebP).
    2. In the caption, describe how it should move.
    3. In a few minutes the video arrives right here.

    Example caption: <i>the sneaker turns slowly on a white podium, soft studio light</i>

    /status shows your jobs, /settings sets length, quality and camera moves, /help explains the rules.
help =
    📸 Send one product photo with a caption that describes the motion.

    What works:
    • JPEG, PNG or WebP, under 20 MB
    • the shorter side over 300 px
    • not too stretched: between 2:5 and 5:2
    • a description of up to 2000 characters

    No caption? I'll ask for the description. Videos are made with {$model}, {$duration} s at {$resolution}; one is usually ready in 1 to 5 minutes.
    You can have up to { $maxActive ->
        [one] {$maxActive} job
       *[other] {$maxActive} jobs
    } in progress at once.

    /status — your latest jobs
    /status &lt;id&gt; — one job
    /history — your finished videos, to get one again
    /settings — length, quality, camera moves
    /language — English or Russian
accepted =
    ✅ Got it! Job <code>{$id}</code> is on its way to MiniMax.
    A video usually takes 1 to 5 minutes; I'll send it here as a reply to your photo.
accepted-queued =
    ✅ Got it! Job <code>{$id}</code> is in the queue: you're number {$position}, about {$minutes ->
        [one] {$minutes} minute
       *[other] {$minutes} minutes
    } until it starts, then usually 1 to 5 minutes more.
    I'll send the video here as a reply to your photo.
ask-prompt =
    📝 Nice photo! What should move? Reply with a short description, for example:
    <i>the bottle rotates slowly, light glides over the glass</i>
    I'll keep the photo for {$minutes ->
        [one] {$minutes} minute
       *[other] {$minutes} minutes
    }; after that, please send it again.
photo-expired = ⌛ The photo you sent earlier waited more than { $minutes ->
        [one] {$minutes} minute
       *[other] {$minutes} minutes
    } for a description, so I no longer keep it. No credits were taken. Please send the photo again, with this description as its caption.
prompt-too-long = ✂️ The description has {$length ->
        [one] {$length} character
       *[other] {$length} characters
    }; MiniMax takes at most {$max}. Please shorten it and send it again.
prompt-empty = 📝 The description is empty. Tell me in words what should move.
image-type = 🖼 I can animate JPEG, PNG or WebP images. Send a photo, or the image as a file in one of these formats.
image-unreadable = 🖼 I couldn't read this file as an image. Please send it again as a photo, or as a JPEG, PNG or WebP file.
image-too-large = 🖼 The image is {NUMBER($mb, maximumFractionDigits: 1)} MB; the limit is 20 MB. Please send it as a photo (Telegram compresses it) or export a smaller file.
image-too-small = 🔍 The image is {NUMBER($width, useGrouping: 0)}×{NUMBER($height, useGrouping: 0)} px; its shorter side must be over 300 px. Please send a larger photo.
image-aspect = 📐 The image is {NUMBER($width, useGrouping: 0)}×{NUMBER($height, useGrouping: 0)} px, too stretched: one side may be at most 2.5 times the other (5:2). Please crop it and send it again.
unsupported = 🤖 I make videos from product photos. Send a photo of your product with a caption that describes the motion, for example: <i>the sneaker turns slowly on a white podium</i>.
limit-reached = ⏳ You already have { $max ->
        [one] {$max} job
       *[other] {$max} jobs
    } in progress, the most at once. { $source ->
        [button] I did not start this one and took no credits for it: press the button again once one of them is ready.
       *[photo] I did not accept this photo and took no credits for it: please send it again once one of them is ready.
    }
private = 🔒 This bot is private.
busy-retry = 😔 { $source ->
        [button] Something went wrong on my side, so the button did nothing, and no credits were taken. Please press it again in a minute.
        [photo] Something went wrong on my side, so I did not accept this photo, and no credits were taken. Please send it again in a minute.
       *[message] Something went wrong on my side, so I could not answer, and no credits were taken. Please send your message again in a minute.
    }
busy-admitted = ⏳ Something went wrong on my side just now, but job <code>{$id}</code> was accepted before that: it is in the queue and its credits are reserved. Don't send the photo again: /status shows how it goes.

failed-sensitive_input = ❌ Job <code>{$id}</code>: MiniMax declined the photo or the description as sensitive content. Your credits are back. Please try another photo or wording.
failed-sensitive_output = ❌ Job <code>{$id}</code>: MiniMax stopped the video because the result was flagged as sensitive. Your credits are back. Please try a different description.
failed-unavailable = ❌ Job <code>{$id}</code>: MiniMax is briefly unavailable. Your credits are back. Please try again a little later.
failed-usage_limit = ❌ Job <code>{$id}</code>: MiniMax has limited the number of new videos for now. Your credits are back. Please try again in a few hours.
failed-invalid = ❌ Job <code>{$id}</code>: MiniMax could not accept this photo with this description. Your credits are back. Please try another photo or a simpler description.
failed-timeout = ❌ Job <code>{$id}</code> took too long and was stopped. Your credits are back. Please send the photo again.
failed-unknown_outcome = ❌ Job <code>{$id}</code>: MiniMax never confirmed that it arrived. I won't send it a second time, so that you can't pay twice for one video. Your credits are back; please send the photo again.
failed-error = ❌ Job <code>{$id}</code> failed. Your credits are back. Please send the photo again.
failed-undelivered = ❌ Job <code>{$id}</code>: MiniMax made the video, but I could not send it to you. Its credits were charged, because the video was made. Write to /paysupport with the job id, and the operator will sort it out.

video-caption = 🎬 Your video is ready (job <code>{$id}</code>).
video-as-link =
    🎬 Your video (job <code>{$id}</code>) is {NUMBER($mb, maximumFractionDigits: 1)} MB, more than a Telegram bot can upload.
    Download it here; the link expires in a few hours:
    {$url}

status-empty = You have no jobs yet. Send a product photo with a caption to make a video.
status-header = 🗂 Your latest jobs:
status-line = <code>{$id}</code> · {$state} · {$age} · {$prompt}
status-private-only = 🔒 /status shows your descriptions, so I answer it only in our private chat. Send it to me there.
history-private-only = 🔒 /history shows your videos and their descriptions, so I answer it only in our private chat. Send it to me there.
balance-private-only = 🔒 /balance shows your credits and transactions, so I answer it only in our private chat. Send it to me there.
new-prompt-private-only = 🔒 I take new descriptions in our private chat only. Open it and tap the button under your video there.
status-not-found = I can't find a job <code>{$id}</code> among yours.
status-detail =
    Job <code>{$id}</code>: {$state}
    Created {$ago}. Description: {$prompt}
state-queued = 🕒 in the queue
state-submitted = ⚙️ in progress
state-delivering = 📤 sending
state-delivered = ✅ done
state-failed = ❌ failed
state-cancelled = 🚫 cancelled
age =
    { $minutes ->
        [0] less than a minute
        [one] {$minutes} minute
       *[other] {$minutes} minutes
    }
age-hours =
    { $hours ->
        [one] {$hours} hour
       *[other] {$hours} hours
    }
age-days =
    { $days ->
        [one] {$days} day
       *[other] {$days} days
    }
ago =
    { $minutes ->
        [0] less than a minute ago
        [one] {$minutes} minute ago
       *[other] {$minutes} minutes ago
    }
ago-hours =
    { $hours ->
        [one] {$hours} hour ago
       *[other] {$hours} hours ago
    }
ago-days =
    { $days ->
        [one] {$days} day ago
       *[other] {$days} days ago
    }

command-start = Start: what the bot does
command-help = How to use it
command-status = Status of your jobs

accepted-price = 💳 Price: { $price ->
        [one] {$price} credit
       *[other] {$price} credits
    }, reserved now and charged only if MiniMax makes the video. Balance left: { $balance ->
        [one] {$balance} credit
       *[other] {$balance} credits
    }.
credits-short =
    💳 This video costs { $price ->
        [one] {$price} credit
       *[other] {$price} credits
    }, and your balance is { $balance ->
        [one] {$balance} credit
       *[other] {$balance} credits
    }. Nothing was sent to MiniMax, and no credits were taken.
    Buy credits with Telegram Stars through /buy, then { $source ->
        [button] press the button again.
       *[photo] send the photo again.
    }
help-credits = 💳 A video with your settings costs { $price ->
        [one] {$price} credit
       *[other] {$price} credits
    }. If a video fails, its credits come back to your balance. /balance shows your credits and transactions, /buy adds more for Telegram Stars.

balance =
    💳 Your balance: { $balance ->
        [one] {$balance} credit
       *[other] {$balance} credits
    }.{ $inFlight ->
        [0] {""}
       *[other] {" "}Jobs in progress: {$inFlight}.
    }
balance-history = Recent transactions:
balance-line = {$date} · <b>{$change}</b> · {$what}
ledger-welcome = welcome gift
ledger-reserve = reserved for job <code>{$id}</code>
ledger-capture = job <code>{$id}</code> done: charged
ledger-release = job <code>{$id}</code> not done: credits back
ledger-purchase = bought for {$stars} ⭐
ledger-refund = payment refunded: taken back
ledger-grant = adjusted by support
ledger-void = job <code>{$id}</code> not started: nothing was charged
balance-buy = Buy more with /buy.

buy-intro = ⭐ Credits are paid for with Telegram Stars. Pick a pack below; the credits arrive as soon as the payment goes through.
invoice-title = { $credits ->
        [one] {$credits} credit
       *[other] {$credits} credits
    }
invoice-description = { $credits ->
        [one] {$credits} credit
       *[other] {$credits} credits
    } for Astrolus videos. A { NUMBER($seconds) }-second video costs { $price ->
        [one] {$price} credit
       *[other] {$price} credits
    }. If MiniMax does not make it, its credits come back to your balance.
invoice-label = { $credits ->
        [one] {$credits} credit
       *[other] {$credits} credits
    }
precheckout-invalid = No Telegram Stars were charged: this pack is no longer on sale. Send /buy to see the current packs.
payment-received = ✅ Thank you! { $credits ->
        [one] {$credits} credit
       *[other] {$credits} credits
    } added. Your balance: { $balance ->
        [one] {$balance} credit
       *[other] {$balance} credits
    }.
payment-reconciled = ✅ Your payment of {$stars} ⭐ went through: { $credits ->
        [one] {$credits} credit
       *[other] {$credits} credits
    } added. Your balance is now { $balance ->
        [one] {$balance} credit
       *[other] {$balance} credits
    }. Sorry for the delay.
payment-refunded = ↩️ Your payment of {$stars} ⭐ was refunded, and { $credits ->
        [one] {$credits} credit
       *[other] {$credits} credits
    } were taken back. Your balance: { $balance ->
        [one] {$balance} credit
       *[other] {$balance} credits
    }.
paysupport =
    🛟 Payment support: if the credits of a purchase did not arrive, or you want your Telegram Stars refunded, write to {$contact} with the date of the payment.
    Credits of a video that fails come back to your balance by themselves; /balance lists every transaction.
paysupport-here =
    🛟 Payment support: if the credits of a purchase did not arrive, or you want your Telegram Stars refunded, reply to this message saying what happened and when. The operator reads these replies and answers here.
    Credits of a video that fails come back to your balance by themselves; /balance lists every transaction.
terms =
    📄 Terms of sale
    • Credits are bought with Telegram Stars through /buy and pay for videos made in this bot.
    • A video's price is shown before it starts. Its credits are reserved as you send the photo and charged only if MiniMax makes the video; otherwise they come back to your balance.
    • Credits do not expire. While a purchase's credits are unspent, /paysupport can refund its Stars. The credits then leave your balance. Credits spent on videos are not refunded.
    • Videos are made by MiniMax's AI, so a result may differ from what you expect. If MiniMax refuses a photo or a description, the credits come back to your balance.

grant-usage = Usage: <code>/grant &lt;user id&gt; &lt;credits&gt;</code>, for example <code>/grant 123456789 5</code> or <code>/grant 123456789 -2</code>.
grant-done = ✅ User <code>{$user}</code>: {$change}; balance now { $balance ->
        [one] {$balance} credit
       *[other] {$balance} credits
    }.
grant-repeated = This /grant was already carried out.
refund-usage = Usage: <code>/refund &lt;telegram_payment_charge_id&gt;</code>
refund-unknown = No payment with id <code>{$id}</code> is recorded.
refund-failed = Telegram refused the refund: {$reason}
refund-done = ↩️ Refunded {$stars} ⭐ to user <code>{$user}</code>; { $credits ->
        [one] {$credits} credit
       *[other] {$credits} credits
    } taken back, balance now { $balance ->
        [one] {$balance} credit
       *[other] {$balance} credits
    }.
stats =
    📊 Users: {$users}
    Jobs today (UTC): {$phases}
    Failures today by code: {$failures}
    Credits spent: {$spent}; sold: {$sold} for {$stars} ⭐
    Telegram Stars according to Telegram (as of {$at}): received {$tgIn} ⭐, refunded {$tgRefunded} ⭐; in the ledger: received {$ledgerIn} ⭐, refunded {$ledgerRefunded} ⭐; difference: {$diffIn} ⭐ / {$diffRefunded} ⭐
stats-none = none

command-balance = Your credits and transactions
command-buy = Buy credits with Telegram Stars
command-paysupport = Help with payments
command-terms = Terms of sale

command-settings = Video settings
command-language = Language: English or Russian

settings-title =
    ⚙️ <b>Settings</b> for your next videos: model, length, quality, format, auto-enhance of the description and camera moves.
    Tap to change; I remember your choice.
    💳 A video with these settings costs { $price ->
        [one] {$price} credit
       *[other] {$price} credits
    }.
settings-duration = ⏱ {$seconds} s
settings-optimizer-on = ✨ Auto-enhance: on
settings-optimizer-off = ✨ Auto-enhance: off
settings-camera = 🎥 Camera: {$moves}
settings-camera-count = 🎥 Camera: { $count ->
        [one] {$count} move
       *[other] {$count} moves
    }
settings-back = ⬅️ Back
menu-outdated = This menu was out of date; here is the current one.
camera-max = Up to 3 camera moves can be combined.
camera-none = No movement
camera-push-in = Push in
camera-pull-out = Pull out
camera-zoom-in = Zoom in
camera-zoom-out = Zoom out
camera-pan-left = Pan left
camera-pan-right = Pan right
camera-tilt-up = Tilt up
camera-tilt-down = Tilt down
camera-truck-left = Slide left
camera-truck-right = Slide right
camera-pedestal-up = Raise
camera-pedestal-down = Lower
camera-tracking-shot = Follow
camera-static-shot = Static
camera-shake = Shake
language-choose = 🌐 Choose the language: / Выберите язык:
language-set = 🇬🇧 Done: I'll speak English with you.
command-history = Finished videos

button-again = 🔁 Again
button-another-move = 🎥 Another camera move
button-new-prompt = ✍️ New description
button-cancel = ✖️ Cancel
button-make-video = 🎬 Make the video
variation-gone = I can't find this video among yours any more.
variation-started = 🎬 A new video is on its way.
variation-duplicate = This button has already started a video.
variation-refused = No new video this time, and no credits were taken. The reason is in the message below.
moves-pick =
    🎥 <i>{$prompt}</i>
    Choose up to 3 camera moves, then tap “🎬 Make the video”.
    Chosen: { $count ->
        [0] nothing yet
       *[other] {$moves}
    }
moves-picker-open = The camera moves are already open, just below this video.
moves-chosen = 🎥 Camera: {$moves}. The new video is on its way.
new-prompt-ask =
    ✍️ Describe the new motion for this photo in your next message, for example:
    <i>the bottle rotates slowly, light glides over the glass</i>
history-title = 🎞 Your videos, newest first (page {$page}). Tap one to get it again.
history-item = 🎬 {$date} · {$prompt}
history-item-link = 🔗 {$date} · {$prompt}
history-newer = ◀️ Newer
history-older = Older ▶️
history-empty = You have no finished videos yet. Send a product photo with a caption to make one.
history-link =
    🔗 The video of job <code>{$id}</code> was too large to upload, so it came as a link.
    Here it is again; MiniMax's links stop working after a few hours:
    {$url}

progress-submitted = ⚙️ Job <code>{$id}</code> is with MiniMax and will start in a moment. I'll send the video here as a reply to your photo.
progress-processing =
    ⚙️ Job <code>{$id}</code>: MiniMax is making your video, { $minutes ->
        [0] under a minute
        [one] {$minutes} minute
       *[other] {$minutes} minutes
    } so far. It usually takes 1 to 5 minutes.
progress-sending = 📤 Job <code>{$id}</code>: the video is ready; sending it to you now…
progress-done = ✅ Job <code>{$id}</code> is done: your video is right below.
progress-done-link = ✅ Job <code>{$id}</code> is done: the video was too large to upload, so you have a download link below.
progress-cancelled = 🚫 Job <code>{$id}</code> was cancelled. It never reached MiniMax, and your credits are back.
failed-cancelled = 🚫 Job <code>{$id}</code> is cancelled, as you asked; it was never sent to MiniMax. Your credits are back.
cancel-cancelled = Cancelled: this job will not be made, and its credits go back to your balance.
cancel-already = This job is already cancelled.
cancel-too-late = Too late to cancel: MiniMax already has this job. Its credits are charged only if the video is made.
cancel-not-found = I can't find this job among yours.

# Counted photos, for the album texts to come: { photo-count } with $count gives "1 photo", "5 photos".
photo-count = { $count ->
        [one] {$count} photo
       *[other] {$count} photos
    }

button-format = 📐 Format
format-original = Original
format-3x4 = 3:4 · Wildberries/Ozon
format-9x16 = 9:16 · Reels/TikTok/Shorts
format-1x1 = 1:1 · feeds
format-16x9 = 16:9 · Amazon/YouTube
settings-format = 📐 {$format}
settings-format-title =
    📐 <b>Format</b> of your next videos: the shape of the place where you post them.
    The whole photo stays in the frame, and a blurred copy of it fills the space around.
    Original keeps the photo's own shape.
settings-long-hint = ⏱ { NUMBER($seconds) } s: Ozon wants 8 s or more.
settings-price-length = ⏱ { NUMBER($seconds) } s: {$choices}
settings-price-choice = {$resolution} { NUMBER($price) } { $price ->
        [one] credit
       *[other] credits
    }
settings-model = 🤖 Model: {$model}
settings-model-title = 🤖 <b>Model</b> for your next videos, and the price with each:
settings-model-line = { $chosen ->
        [yes] ✅
       *[no] •
    } <b>{$name}</b>: {$description}. { NUMBER($seconds) } s at {$resolution}: { NUMBER($price) } { $price ->
        [one] credit
       *[other] credits
    }.
model-hailuo-02 = realistic motion and physics, up to 1080P
model-hailuo-23 = livelier people and motion, up to 1080P
model-hailuo-23-fast = Hailuo 2.3, made faster, up to 1080P
model-i2v-01 = MiniMax's first model, 720P only
model-i2v-01-live = for drawings and illustrations, 720P only
model-i2v-01-director = follows camera moves closely, 720P only
format-pick =
    📐 In which shape should I make this video again?
    Same photo, description and settings, at the usual price.
format-picker-open = The formats are already open, just below this video.
format-chosen = 📐 {$format}: the new video is on its way.
video-caption-details = 📐 {$format} · 🤖 {$model}
model-h3 = 5 to 15 s with sound, 768P or 2K
model-h3-max = 5 to 15 s with sound, 480P or 768P
video-caption-sound = 🔊 with sound
progress-cancelled-at-minimax = 🚫 Job <code>{$id}</code> was cancelled before MiniMax started it. Your credits are back.
failed-cancelled-at-minimax = 🚫 Job <code>{$id}</code> is cancelled, as you asked: MiniMax had not started it yet. Your credits are back.
cancel-retry = I couldn't cancel it this very moment. Please press ✖️ Cancel again in a few seconds.


button-studio = 🖼 Studio
studio-menu-button = 🖼 Studio
studio-tab-gallery = 🎞 Videos
studio-tab-jobs = ⚙️ In progress
studio-tab-balance = 💳 Balance
studio-tab-settings = 🛠 Settings
studio-filter-formats = All formats
studio-filter-models = All models
studio-variants = Variants of this photo
studio-download = ⬇️ Download
studio-download-started = ⬇️ Telegram is saving the video to your device.
studio-loading = Loading…
studio-failed = Something went wrong. Please try again.
studio-retry = 🔄 Try again
studio-video-in-chat = This video can no longer be opened here; it is kept in your chat with the bot.
studio-jobs-empty = No jobs in progress. Send a product photo to the bot to start a video.
studio-job-position = No. { NUMBER($position) }
studio-open-in-telegram = Open the studio from the bot's menu button in Telegram.
studio-expired = The studio has been open too long. Close it and open it again from the chat with the bot.
studio-packs = ⭐ Buy credits with Telegram Stars
studio-pack = { $credits ->
        [one] { NUMBER($credits) } credit
       *[other] { NUMBER($credits) } credits
    } · { NUMBER($stars) } ⭐
studio-paid = ✅ Payment received; your balance is up to date.
studio-saved = ✅ Saved
studio-duration = ⏱ Length
studio-resolution = 🎞 Quality
studio-camera = 🎥 Camera moves
studio-model = 🤖 Model
studio-format = 📐 Format
studio-settings-price = 💳 A video with these settings costs { NUMBER($price) } { $price ->
        [one] credit
       *[other] credits
    }.
studio-again-started = 🎬 A new video is on its way; follow it in the chat.
studio-again-credits = 💳 This video costs { $price ->
        [one] { NUMBER($price) } credit
       *[other] { NUMBER($price) } credits
    }, and your balance is { $balance ->
        [one] { NUMBER($balance) } credit
       *[other] { NUMBER($balance) } credits
    }. No credits were taken. Buy credits on the Balance tab.
studio-in-chat = This video was made before the studio opened: tap “{$button}” under it in the chat.
studio-format-started = 📐 {$format}: the new video is on its way; follow it in the chat.
studio-pack-started = 🎲 Three variants are on their way; follow them in the chat.
studio-pack-refused = 🎲 I did not start the variants; the reason is in the chat. No credits were taken.
studio-pack-no-camera = 🎲 The variants differ by their camera move, and {$model} does not support one. No credits were taken.

# Albums, transitions and variant packs (issue 18)
album-ask-prompt =
    📝 I have your album of { NUMBER($count) } { $count ->
        [one] photo
       *[other] photos
    }. What should move? Reply with one description for all of them, and I'll make a video of each photo.
    I'll keep the album for { NUMBER($minutes) } { $minutes ->
        [one] minute
       *[other] minutes
    }; after that, please send it again.
transition-ask-prompt =
    📝 Two photos: I'll make one video that starts at the first and ends at the second. What should happen in between? Reply with a description, for example:
    <i>the box opens and the sneaker rises out of it</i>
    I'll keep the photos for { NUMBER($minutes) } { $minutes ->
        [one] minute
       *[other] minutes
    }; after that, please send them again.
album-expired = ⌛ The album you sent earlier waited more than { NUMBER($minutes) } { $minutes ->
        [one] minute
       *[other] minutes
    } for a description, so I no longer keep it. No credits were taken. Please send the album again, with this description as the caption of one of its photos.
album-part-late = 📚 This photo arrived after the others, and the album had already started without it. No credits were taken for it. Send it on its own, and I'll make a video of it.
transition-off = 🔀 Two photos make a transition video, but this bot has that switched off. Nothing was charged. Send the photos one at a time to get a video of each.
transition-photo-refused = 🔀 A transition needs both photos, and one of them could not be used (see my reply to it). Nothing was charged. Please send both photos again.
progress-transition = 🔀 Transition: the video starts at your first photo and ends at the second.
video-caption-transition = 🎬 Your transition video is ready (job <code>{$id}</code>).
album-not-started = ⏸ { $count ->
        [1] Photo { NUMBER($first) } was
       *[other] Photos { NUMBER($first) } to { NUMBER($last) } were
    } not started: { $reason ->
        [credits] a video costs { NUMBER($price) } { $price ->
            [one] credit
           *[other] credits
        } and your balance is { NUMBER($balance) } { $balance ->
            [one] credit
           *[other] credits
        }
       *[limit] you already have { NUMBER($max) } { $max ->
            [one] job
           *[other] jobs
        } in progress, the most at once
    }. No credits were taken for { $count ->
        [1] this photo
       *[other] these photos
    }. { $reason ->
        [credits] Buy credits with Telegram Stars through /buy, then send { $count ->
            [1] it
           *[other] them
        } again.
       *[limit] Send { $count ->
            [1] it
           *[other] them
        } again once one of your jobs is ready.
    }
album-none-started = 📚 I did not start your album of { NUMBER($total) } { $total ->
        [one] photo
       *[other] photos
    }: { $reason ->
        [credits] a video costs { NUMBER($price) } { $price ->
            [one] credit
           *[other] credits
        } and your balance is { NUMBER($balance) } { $balance ->
            [one] credit
           *[other] credits
        }
       *[limit] you already have { NUMBER($max) } { $max ->
            [one] job
           *[other] jobs
        } in progress, the most at once
    }. Nothing was charged. { $reason ->
        [credits] Buy credits with Telegram Stars through /buy, then send the album again.
       *[limit] Please send the album again once one of your jobs is ready.
    }
group-album-title = 📚 Your album: { NUMBER($done) } of { NUMBER($total) } { $total ->
        [one] video
       *[other] videos
    } done.
group-pack-title = 🎲 Your 3 variants: { NUMBER($done) } of { NUMBER($total) } done. They arrive together, as one album.
group-waiting = 🕒 In the queue: { NUMBER($count) }. { $count ->
        [1] This video is
       *[other] The first of these videos is
    } number { NUMBER($position) } overall{ $minutes ->
        [0] {""}
        [one] , about { NUMBER($minutes) } minute until it starts
       *[other] , about { NUMBER($minutes) } minutes until it starts
    }.
group-making = ⚙️ { NUMBER($count) } with MiniMax; a video usually takes 1 to 5 minutes.
group-failed = ❌ Failed: { $count ->
        [1] { NUMBER($count) } video. Its credits are
       *[other] { NUMBER($count) } videos. Their credits are
    } back on your balance.
group-cancelled = 🚫 Cancelled before reaching MiniMax: { $count ->
        [1] { NUMBER($count) } video. Its credits are
       *[other] { NUMBER($count) } videos. Their credits are
    } back on your balance.
group-undelivered = ❌ Made but not delivered: { $count ->
        [1] { NUMBER($count) } video. Its credits were charged, because MiniMax made it.
       *[other] { NUMBER($count) } videos. Their credits were charged, because MiniMax made them.
    } Write to /paysupport with the job ids, and the operator will sort it out.
group-jobs = Jobs: {$ids}
group-album-finished = ✅ Your album is finished: { NUMBER($done) } of { NUMBER($total) } { $total ->
        [one] video
       *[other] videos
    } made, each as a reply to its photo.
group-album-none = ❌ None of the album's videos could be made.
group-pack-ready = ✅ { NUMBER($done) } of { NUMBER($total) } variants made: they are in the album below.
group-pack-none = ❌ None of the variants could be made.
group-price = 💳 { NUMBER($count) } { $count ->
        [one] video
       *[other] videos
    } for { NUMBER($total) } { $total ->
        [one] credit
       *[other] credits
    } in all, reserved now; each is charged only if MiniMax makes it. Balance left: { NUMBER($balance) } { $balance ->
        [one] credit
       *[other] credits
    }.
pack-not-started = ⏸ { $count ->
        [1] One variant ({$moves}) was
       *[other] { NUMBER($count) } variants ({$moves}) were
    } not started: { $reason ->
        [credits] a video costs { NUMBER($price) } { $price ->
            [one] credit
           *[other] credits
        } and your balance is { NUMBER($balance) } { $balance ->
            [one] credit
           *[other] credits
        }
       *[limit] you already have { NUMBER($max) } { $max ->
            [one] job
           *[other] jobs
        } in progress, the most at once
    }. No credits were taken for { $count ->
        [1] it
       *[other] them
    }.
pack-none-started = 🎲 I did not start the variants: { $reason ->
        [credits] a video costs { NUMBER($price) } { $price ->
            [one] credit
           *[other] credits
        } and your balance is { NUMBER($balance) } { $balance ->
            [one] credit
           *[other] credits
        }
       *[limit] you already have { NUMBER($max) } { $max ->
            [one] job
           *[other] jobs
        } in progress, the most at once
    }. Nothing was charged. { $reason ->
        [credits] Buy credits with Telegram Stars through /buy, then try again.
       *[limit] Please try again once one of your jobs is ready.
    }
pack-video-caption = 🎲 {$move} (job <code>{$id}</code>)
pack-variant = { NUMBER($n) } · {$move}
pack-note = 🎲 Your variants are in the album above: {$list}. 🔁 with a number repeats that variant; 📐 remakes it in another format.
pack-link = 🔗 Variant { NUMBER($n) } ({$move}) was too large to upload. Download it here; the link expires in a few hours: {$url}
pack-started = 🎲 Three variants are on their way.
pack-duplicate = This button has already started the variants.
button-pack = 🎲 3 variants
button-pack-again = 🔁 Again · { NUMBER($n) }
button-pack-format = 📐 Format · { NUMBER($n) }
button-cancel-waiting = ✖️ Cancel the waiting ones
cancel-group-cancelled = Cancelled: { NUMBER($count) } waiting { $count ->
        [1] job; its credits go
       *[other] jobs; their credits go
    } back to your balance.
cancel-group-none = Nothing is waiting any more: MiniMax already has every job.
settings-variants-on = 🎲 3 variants per photo: on
settings-variants-off = 🎲 3 variants per photo: off

# Templates (issue 28)
template-or-pick = 🧩 Or pick a ready-made template, and I'll start at once:
button-templates-more = 🧩 More templates…
templates-previous = ◀️ {$category}
templates-next = {$category} ▶️
templates-page =
    🧩 Templates · {$category} ({ NUMBER($page) } of { NUMBER($pages) })
    {$list}
    { $then ->
        [photo] Tap one to make the video of your photo, or write your own description.
        [album] Tap one for every photo of your album, or write your own description.
        [video] Tap one to make this photo again with it, at the usual price.
       *[ask] Tap one, then send the product photo. A photo you sent in the last 30 minutes is used at once.
    }
template-line = • <b>{$name}</b>{ $sample ->
        [yes] 🎬
       *[no] {""}
    }: {$about}
template-chosen = 🧩 Template: <b>{$name}</b>
template-started = 🧩 {$name}: the video is on its way.
template-photo-gone = This photo no longer waits for a description. Send it again to make a video of it.
template-send-photo = 🧩 <b>{$name}</b>: {$about}
    Now send me the product photo, without a caption, and I'll make the video at once. I'll keep this choice for { NUMBER($minutes) } { $minutes ->
        [one] minute
       *[other] minutes
    }.
template-pick-video = 🧩 Which template should I make this photo with? Same photo and settings, at the usual price.
button-template = 🧩 Template
command-templates = Templates: a video in two taps
stats-templates = 🧩 Top templates, last 7 days: {$list}
studio-template = 🧩 Again with a template
studio-template-started = 🧩 {$name}: the new video is on its way; follow it in the chat.
template-category-any = Any product
template-category-electronics = Electronics
template-category-beauty = Beauty
template-category-fashion = Fashion
template-category-jewellery = Jewellery
template-category-home = Home & kitchen
template-turntable = 🔄 360° turntable
template-turntable-about = The product turns a full circle on a white background: every side in one video.
template-light-sweep = 💡 Light sweep
template-light-sweep-about = A soft band of light glides over the product and reveals its shape and texture.
template-push-in = 🎯 Slow push-in
template-push-in-about = The camera slowly moves closer to the product: calm and premium.
template-levitation = 🪄 Levitation
template-levitation-about = The product lifts off and floats in the air, turning slightly.
template-before-after = 🔀 Before/after
template-before-after-about = For an album of two photos: a smooth change from the first to the second.
template-hand-demo = 🤲 Hand-held demo
template-hand-demo-about = A hand picks up the product and turns it to show the front and the side.
template-unboxing = 📦 Unboxing
template-unboxing-about = The box opens and the product rises out of it.
template-screen-glow = 📱 Screen lights up
template-screen-glow-about = The screen lights up and a soft glow runs along the device's edges.
template-liquid-splash = 💦 Liquid splash
template-liquid-splash-about = Water splashes around the bottle in slow motion; the label stays readable.
template-macro-glide = 🔍 Macro glide
template-macro-glide-about = The camera glides close along the product and shows its texture and finish.
template-fabric-wind = 🌬 Fabric in wind
template-fabric-wind-about = A light breeze moves the fabric and shows how it drapes.
template-sparkle = 💎 Sparkle
template-sparkle-about = Light glints across the jewellery on dark velvet.
template-lifestyle = 🏠 In use at home
template-lifestyle-about = The product in a bright home interior, in everyday use.
template-steam = ♨️ Steam & warmth
template-steam-about = Soft steam rises from the product, as if just served.

# Referral links, promo codes, the monthly plan and the dashboard (issue 29)
command-invite = Invite friends, earn credits
command-promo = Redeem a promo code
ledger-referral = referral bonus
ledger-referral_back = referral bonus taken back (payment refunded)
ledger-promo = promo code {$code}
ledger-plan = monthly plan, {$stars} ⭐
invite =
    🎁 Your invitation link:
    {$link}
    When someone starts the bot through it and makes their first purchase with Telegram Stars, you get { $inviter ->
        [one] {$inviter} credit
       *[other] {$inviter} credits
    } and they get { $invitee ->
        [one] {$invitee} credit
       *[other] {$invitee} credits
    }.
    Invited so far: { NUMBER($invites) }; of them paid: { NUMBER($payers) }.
invite-private-only = 🔒 Your invitation link is yours alone: send /invite to me in our private chat.
referral-linked = 🎁 You came with an invitation. Your first purchase with Telegram Stars brings you { $invitee ->
        [one] {$invitee} extra credit
       *[other] {$invitee} extra credits
    }.
referral-self = This is your own invitation link: share it with others. Invitations count only for new users.
referral-existing = This invitation link is for new users; you have used the bot before, so it changes nothing.
referral-invalid = This invitation link is not valid. Ask the person who sent it for a fresh one (/invite).
referral-bonus-invitee = 🎁 Invitation bonus: { $credits ->
        [one] {$credits} credit
       *[other] {$credits} credits
    } added for your first purchase. Your balance: { $balance ->
        [one] {$balance} credit
       *[other] {$balance} credits
    }.
referral-bonus-inviter = 🎁 Someone you invited made their first purchase: { $credits ->
        [one] {$credits} credit
       *[other] {$credits} credits
    } added. Your balance: { $balance ->
        [one] {$balance} credit
       *[other] {$balance} credits
    }.
referral-bonus-taken = ↩️ The purchase that earned an invitation bonus was refunded, so { $credits ->
        [one] {$credits} credit was
       *[other] {$credits} credits were
    } taken back. Your balance: { $balance ->
        [one] {$balance} credit
       *[other] {$balance} credits
    }.
promo-usage = Usage: <code>/promo CODE</code>, for example <code>/promo SPRING</code>.
promo-admin-usage =
    Usage:
    <code>/promo add CODE CREDITS [USES] [DAYS]</code>, for example <code>/promo add SPRING 5 100 30</code> (one use and no end date unless given)
    <code>/promo list</code>
    <code>/promo off CODE</code>
    A code has 3 to 32 letters, digits, _ or -.
promo-redeemed = ✅ Promo code {$code} redeemed: { $credits ->
        [one] {$credits} credit
       *[other] {$credits} credits
    } added. Your balance: { $balance ->
        [one] {$balance} credit
       *[other] {$balance} credits
    }.
promo-invalid = A promo code has 3 to 32 letters, digits, _ or -; “{$code}” is not one. Nothing was added.
promo-unknown = There is no promo code {$code}. Check the spelling; nothing was added.
promo-expired = Promo code {$code} has expired. Nothing was added.
promo-used-up = Promo code {$code} has been used up: every use is taken. Nothing was added.
promo-already = You have already redeemed promo code {$code}; each code works once per person.
promo-throttled = Too many wrong codes in a row. Please try again in { $minutes ->
        [one] {$minutes} minute
       *[other] {$minutes} minutes
    }.
promo-added = ✅ Promo code {$code}: { $credits ->
        [one] {$credits} credit
       *[other] {$credits} credits
    }, { $uses ->
        [one] {$uses} use
       *[other] {$uses} uses
    }{ $days ->
        [0] {""}
       *[other] , for { $days ->
            [one] {$days} day
           *[other] {$days} days
        }
    }. Link: {$link}
promo-exists = Promo code {$code} exists already. Pick another name, or see <code>/promo list</code>.
promo-off-done = Promo code {$code} is off: it is refused from now on.
promo-list = 🎟 Promo codes (newest first):
promo-list-empty = No promo codes yet. Make one with <code>/promo add CODE CREDITS [USES] [DAYS]</code>.
promo-list-line = <code>{$code}</code> · +{$credits} · used {$used} of {$uses} · until {$until}{ $state ->
        [off] {" "}· off
       *[on] {""}
    }
stats-business = Referrals: {$invites} invited, {$payers} of them paid; monthly plans running: {$plans}
plan-invoice-title = { $credits ->
        [one] {$credits} credit a month
       *[other] {$credits} credits a month
    }
plan-invoice-description = A monthly plan: { $credits ->
        [one] {$credits} credit
       *[other] {$credits} credits
    } now and every 30 days, until you cancel. A {$seconds}-second video costs { $price ->
        [one] {$price} credit
       *[other] {$price} credits
    }.
plan-offer = 📅 Monthly plan: { $credits ->
        [one] {$credits} credit
       *[other] {$credits} credits
    } every 30 days for {$stars} ⭐. Cancel the renewal any time in /balance.
plan-button = 📅 Subscribe for {$stars} ⭐
plan-started = ✅ Thank you! Your monthly plan is on: { $credits ->
        [one] {$credits} credit
       *[other] {$credits} credits
    } added, the next ones on {$date}. Your balance: { $balance ->
        [one] {$balance} credit
       *[other] {$balance} credits
    }.
plan-renewed = ✅ Your monthly plan was renewed: { $credits ->
        [one] {$credits} credit
       *[other] {$credits} credits
    } added, the next ones on {$date}. Your balance: { $balance ->
        [one] {$balance} credit
       *[other] {$balance} credits
    }.
plan-status = 📅 Monthly plan: { $credits ->
        [one] {$credits} credit
       *[other] {$credits} credits
    } for {$stars} ⭐; { $canceled ->
        [yes] renewal cancelled, it ends on {$date}.
       *[no] renews on {$date}.
    }
plan-cancel = Cancel renewal
plan-resume = Resume renewal
plan-change-failed = Telegram did not accept the change. Please try again in a minute.
plan-none = You have no monthly plan running.
studio-tab-dashboard = 📈 Dashboard
studio-invite = Invite friends
studio-plans = Monthly plan
dashboard-videos = Videos per day: made and failed
dashboard-stars = Telegram Stars per day: received and refunded
dashboard-credits = Credits spent per day
dashboard-failures = Top failure reasons (30 days)
dashboard-median = Median time from photo to video (30 days)
dashboard-queue = Queue now
dashboard-made = made
dashboard-failed = failed
dashboard-received = received
dashboard-refunded = refunded
dashboard-spent = spent
dashboard-none = none

# Issue 27: an album as one video from reference pictures (MiniMax-H3), and ✨ 2K regeneration.
settings-albums-each = 📚 Albums: a video per photo
settings-albums-one = 📚 Albums: one video from all
settings-albums-price = 📚 One video from all the photos of an album: {$tiers}.
settings-albums-price-tier = { $from ->
        [2] { $to ->
            [2] 2 photos
           *[other] 2 to { NUMBER($to) } photos
        }
       *[other] { NUMBER($from) } to { NUMBER($to) } photos
    } { NUMBER($price) } { $price ->
        [one] credit
       *[other] credits
    }
references-ask-prompt =
    📝 I have your { NUMBER($count) } photos and will make one video from all of them, keeping what each one shows.
    What should happen in the video? Reply with one description; you can name the photos in order, for example:
    <i>the bottle from photo 1 turns to show its label as in photo 2</i>
    I'll keep the album for { NUMBER($minutes) } { $minutes ->
        [one] minute
       *[other] minutes
    }; after that, please send it again.
album-left-out = ✂️ { $count ->
        [one] Photo { NUMBER($first) } was
       *[other] Photos { NUMBER($first) } to { NUMBER($last) } were
    } left out: MiniMax takes at most { NUMBER($max) } photos for one video. Nothing was charged for { $count ->
        [one] it
       *[other] them
    }.
progress-references = 📚 One video from { NUMBER($count) } photos.
progress-regeneration = ✨ 2K: video <code>{$id}</code> made again at 2K.
failed-base_unavailable = ❌ Job <code>{$id}</code>: MiniMax no longer keeps the 768P video, and it is too large for me to send back to it. Your credits are back.
video-caption-2k = ✨ Your 2K video is ready (job <code>{$id}</code>, from video <code>{$from}</code>).
button-2k = ✨ 2K · { NUMBER($price) } { $price ->
        [one] credit
       *[other] credits
    }
regen-started = ✨ The 2K video is on its way.
regen-duplicate = This button has already started the 2K video.
regen-unavailable = No 2K this time: MiniMax no longer keeps this video, and it is too large for me to send back to it. Nothing was charged.
regen-not-offered = This video cannot be made again at 2K.
studio-regen-started = ✨ The 2K video is on its way; watch for it in the chat.
studio-regen-button = ✨ 2K
studio-settings-albums = 📚 Albums
studio-albums-each = A video per photo
studio-albums-one = One video from all

# Issue 25: the studio's door
studio-wait = ⏳ That was a lot at once. Wait a moment, then try again.
