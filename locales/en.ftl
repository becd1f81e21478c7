start =
    👋 Hi! I'm Astrolus. I turn a product photo into a short video with MiniMax Hailuo.

    How it works:
    1. Send a photo of your product (or the image as a file: JPEG, PNG or WebP).
    2. In the caption, describe how it should move.
    3. In a few minutes the video arrives right here.

    Example caption: <i>the sneaker turns slowly on a white podium, soft studio light</i>

    /status shows your videos, /settings sets length, quality and camera moves, /help explains the rules.
help =
    📸 Send one product photo with a caption that describes the motion.

    What works:
    • JPEG, PNG or WebP, under 20 MB
    • the shorter side over 300 px
    • not too stretched: between 2:5 and 5:2
    • a caption of up to 2000 characters

    No caption? I'll ask for one. Videos are made with {$model}, {$duration} s at {$resolution}; one is usually ready in 1 to 5 minutes.
    You can have up to {$maxActive} videos in progress at once.

    /status — your latest videos
    /status &lt;id&gt; — one video
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
photo-expired = ⌛ The photo you sent earlier waited for a description for too long, so I let it go. Please send the photo again, with this description as its caption.
prompt-too-long = ✂️ The description has {$length ->
        [one] {$length} character
       *[other] {$length} characters
    }; MiniMax takes at most {$max}. Please shorten it and send it again.
prompt-empty = 📝 The description is empty. Tell me in words what should move.
image-type = 🖼 I can animate JPEG, PNG or WebP images. Send a photo, or the image as a file in one of these formats.
image-unreadable = 🖼 I couldn't read this file as an image. Please send it again as a photo, or as a JPEG, PNG or WebP file.
image-too-large = 🖼 The image is {$mb} MB; the limit is 20 MB. Please send it as a photo (Telegram compresses it) or export a smaller file.
image-too-small = 🔍 The image is {$width}×{$height} px; its shorter side must be over 300 px. Please send a larger photo.
image-aspect = 📐 The image is {$width}×{$height} px, too stretched: its long side may be at most 2.5 times its short side (5:2). Please crop it and send it again.
unsupported =
    🤖 I make videos from product photos. Send a photo with a caption describing the motion,
    for example: <i>the sneaker turns slowly on a white podium</i>.
album = 📚 Please send one photo at a time: each video starts from a single image.
limit-reached = ⏳ You already have {$max} videos in progress. I'll gladly take the next one as soon as one of them is ready.
private = 🔒 This bot is private.
busy-retry = 😔 Something went wrong on our side. Please send the photo again in a minute.
busy-admitted = ⏳ Your request <code>{ $id }</code> is in the queue, even though something went wrong on our side just now. Do not send the photo again: /status shows how it goes.

failed-sensitive_input = ❌ Job <code>{$id}</code>: MiniMax declined the photo or the description as sensitive content. Please try another photo or wording.
failed-sensitive_output = ❌ Job <code>{$id}</code>: MiniMax stopped the video because the result was flagged as sensitive. Please try a different description.
failed-unavailable = ❌ Job <code>{$id}</code>: the video service is briefly unavailable. Please try again a little later.
failed-usage_limit = ❌ Job <code>{$id}</code>: the video service has reached its usage limit for now. Please try again in a few hours.
failed-invalid = ❌ Job <code>{$id}</code>: MiniMax could not accept this request. Please try another photo or a simpler description.
failed-timeout = ❌ Job <code>{$id}</code> took too long and was stopped. Please send the photo again.
failed-unknown_outcome = ❌ Job <code>{$id}</code>: we could not confirm that MiniMax received it, and we don't send a request twice so you are never charged twice. Please send the photo again.
failed-error = ❌ Job <code>{$id}</code> failed. Please send the photo again.

video-caption = 🎬 Your video is ready (job <code>{$id}</code>).
video-as-link =
    🎬 Your video (job <code>{$id}</code>) is {$mb} MB, more than a Telegram bot can upload.
    Download it here; the link expires in a few hours:
    {$url}

status-empty = You have no videos yet. Send a product photo with a caption to make one.
status-header = 🗂 Your latest videos:
status-line = <code>{$id}</code> · {$state} · {$age} · {$prompt}
status-private-only = 🔒 /status shows your prompts, so I answer it only in our private chat. Send it to me there.
status-not-found = I can't find a job <code>{$id}</code> among yours.
status-detail =
    Job <code>{$id}</code>: {$state}
    Started {$ago}. Prompt: {$prompt}
state-queued = 🕒 in the queue
state-submitted = ⚙️ generating
state-delivering = 📤 sending
state-delivered = ✅ delivered
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
command-status = Your videos

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
    }. Nothing was sent to MiniMax.
    Buy credits for Telegram Stars with /buy, then send the photo again.
help-credits = 💳 A video costs { $price ->
        [one] {$price} credit
       *[other] {$price} credits
    } (10-second or 1080P videos may cost more). A failed video costs nothing. /balance shows your credits, /buy adds more.

balance =
    💳 Your balance: { $balance ->
        [one] {$balance} credit
       *[other] {$balance} credits
    }.{ $inFlight ->
        [0] {""}
       *[other] {" "}Videos in progress: {$inFlight}.
    }
balance-history = Latest movements:
balance-line = {$date} · <b>{$change}</b> · {$what}
ledger-welcome = welcome gift
ledger-reserve = reserved for job <code>{$id}</code>
ledger-capture = job <code>{$id}</code> made: the reservation is charged
ledger-release = job <code>{$id}</code> did not complete: returned
ledger-purchase = bought for {$stars} ⭐
ledger-refund = payment refunded: taken back
ledger-grant = adjusted by support
ledger-void = job <code>{$id}</code> was not started
balance-buy = Buy more with /buy.

buy-intro = ⭐ Credits are paid with Telegram Stars. Pick a pack below; the credits arrive as soon as the payment goes through.
invoice-title = { $credits ->
        [one] {$credits} credit
       *[other] {$credits} credits
    }
invoice-description = { $credits ->
        [one] {$credits} credit
       *[other] {$credits} credits
    } for Astrolus videos. A 6-second video costs { $price ->
        [one] {$price} credit
       *[other] {$price} credits
    }; a video that fails costs nothing.
invoice-label = { $credits ->
        [one] {$credits} credit
       *[other] {$credits} credits
    }
precheckout-invalid = This offer is no longer available. Please send /buy again for the current packs.
payment-received = ✅ Thank you! { $credits ->
        [one] {$credits} credit
       *[other] {$credits} credits
    } added. Your balance: { $balance ->
        [one] {$balance} credit
       *[other] {$balance} credits
    }.
payment-refunded = ↩️ Your payment of {$stars} ⭐ was refunded, and { $credits ->
        [one] {$credits} credit
       *[other] {$credits} credits
    } were taken back. Your balance: { $balance ->
        [one] {$balance} credit
       *[other] {$balance} credits
    }.
paysupport =
    🛟 Payment support: if a purchase did not arrive or you want a refund, write to {$contact} with the date of the payment.
    Credits of a video that fails come back to you automatically; /balance lists every movement.
paysupport-here =
    🛟 Payment support: if a purchase did not arrive or you want a refund, reply to this message describing what happened and when; the operator reads these and answers here.
    Credits of a video that fails come back to you automatically; /balance lists every movement.
terms =
    📄 Terms of sale
    • Credits are bought with Telegram Stars through /buy and pay for videos made in this bot.
    • A video's price is shown before it starts. Its credits are reserved when you send the photo and charged only when MiniMax makes the video; otherwise they come back.
    • Credits do not expire and cannot be exchanged back for Stars. Bought credits that were not spent can be refunded through /paysupport.
    • Videos are made by an AI service; results vary, and content it refuses is not charged.

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
    Generations today (UTC): {$phases}
    Failures today by code: {$failures}
    Credits spent: {$spent}; sold: {$sold} for {$stars} ⭐
stats-none = none

command-balance = Your credits
command-buy = Buy credits with Stars
command-paysupport = Help with payments
command-terms = Terms of sale

command-settings = Video settings
command-language = Language: English or Russian

settings-title =
    ⚙️ <b>Settings</b> for your next videos: length, quality, the prompt optimizer and a camera move.
    Tap to change; I remember your choice.
settings-duration = ⏱ {$seconds} s
settings-optimizer-on = ✨ Prompt optimizer: on
settings-optimizer-off = ✨ Prompt optimizer: off
settings-camera = 🎥 Camera: {$moves}
settings-back = ⬅️ Back
menu-outdated = This menu was out of date; here is the current one.
camera-max = Up to 3 camera moves can be combined.
camera-none = no camera move
camera-push-in = Push in
camera-pull-out = Pull out
camera-zoom-in = Zoom in
camera-zoom-out = Zoom out
camera-pan-left = Pan left
camera-pan-right = Pan right
camera-tilt-up = Tilt up
camera-tilt-down = Tilt down
camera-truck-left = Move left
camera-truck-right = Move right
camera-pedestal-up = Rise up
camera-pedestal-down = Lower down
camera-tracking-shot = Follow
camera-static-shot = Still camera
camera-shake = Shake
language-choose = 🌐 Choose the language: / Выберите язык:
language-set = 🇬🇧 Done: I'll speak English with you.
command-history = Your finished videos

button-again = 🔁 Again
button-another-move = 🎥 Another camera move
button-new-prompt = ✍️ New prompt
button-cancel = ✖️ Cancel
button-make-video = 🎬 Make the video
variation-gone = I can't find this video among yours any more.
variation-started = 🎬 A new video is on its way.
variation-duplicate = This button has already started a video.
variation-refused = No new video this time; see the message below.
moves-pick =
    🎥 Choose up to 3 camera moves for <i>{$prompt}</i>, then tap “Make the video”.
    Chosen: {$moves}
moves-picker-open = The camera moves are waiting for you just below this video.
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
    🔗 Job <code>{$id}</code> was too large to upload, so it was sent as a link.
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
progress-cancelled = 🚫 Job <code>{$id}</code> was cancelled. It never reached MiniMax.
failed-cancelled = 🚫 Job <code>{$id}</code> is cancelled, as you asked; it was never sent to MiniMax.
cancel-cancelled = Cancelled. This job will not be made.
cancel-already = This job is already cancelled.
cancel-too-late = Too late to cancel: MiniMax already has this job.
cancel-not-found = I can't find this job among yours.
settings-choice = {$label} · { $price ->
        [one] {$price} credit
       *[other] {$price} credits
    }

button-studio = 🖼 Studio
studio-menu-button = 🖼 Studio
studio-tab-gallery = 🎞 Videos
studio-tab-jobs = ⚙️ In progress
studio-tab-balance = 💳 Balance
studio-tab-settings = 🛠 Settings
studio-filter-formats = All formats
studio-filter-models = All models
studio-format-original = Original
studio-variants = Variants of this photo
studio-download = ⬇️ Download
studio-download-started = ⬇️ Telegram is saving the video to your device.
studio-loading = Loading…
studio-failed = Something went wrong. Please try again.
studio-retry = 🔄 Try again
studio-video-in-chat = This video can't be played here any more: it is in your chat with the bot.
studio-jobs-empty = No jobs in progress. Send a product photo to the bot to start a video.
studio-job-position = Number { NUMBER($position) } in the queue
studio-open-in-telegram = Open the studio from the bot's menu button in Telegram.
studio-expired = This studio session is too old. Close the studio and open it again from the bot.
studio-packs = ⭐ Buy credits for Telegram Stars
studio-pack = { $credits ->
        [one] { NUMBER($credits) } credit
       *[other] { NUMBER($credits) } credits
    } · { NUMBER($stars) } ⭐
studio-paid = ✅ Payment received; your balance is up to date.
studio-saved = ✅ Saved
studio-duration = ⏱ Length
studio-resolution = 🎞 Quality
studio-camera = 🎥 Camera moves
studio-again-started = 🎬 A new video is on its way; follow it in the chat.
studio-again-credits = 💳 This video costs { $price ->
        [one] { NUMBER($price) } credit
       *[other] { NUMBER($price) } credits
    }, and your balance is { $balance ->
        [one] { NUMBER($balance) } credit
       *[other] { NUMBER($balance) } credits
    }. No credits were taken. Buy credits on the Balance tab.
studio-again-in-chat = This video was made before the studio opened: tap 🔁 Again under it in the chat.
